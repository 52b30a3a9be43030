
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mita' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mita'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mita' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the HTTP API server')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply database migrations (or show their status)')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show a running server''s metrics at a glance')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print or check the effective configuration')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Generate shell completion scripts')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Generate man pages')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Support operations on accounts: unlock, sessions, roles, audit trail')
            [CompletionResult]::new('ocr', 'ocr', [CompletionResultType]::ParameterValue, 'Receipt OCR jobs: list them, replay the failed ones')
            [CompletionResult]::new('db', 'db', [CompletionResultType]::ParameterValue, 'Back the database up, or verify a backup by restoring it in a scratch place')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check this installation: configuration, secrets, database and migrations, clock, tesseract, room for receipts, SMTP, Google sign-in and the LLM')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its commit do: the same parsing, rules, duplicates and one transaction (docs/import.md)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;serve' {
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on [default: 127.0.0.1:8000]')
            [CompletionResult]::new('--metrics-bind', '--metrics-bind', [CompletionResultType]::ParameterName, 'Serve /metrics only on this separate (private) address')
            [CompletionResult]::new('--shutdown-timeout', '--shutdown-timeout', [CompletionResultType]::ParameterName, 'Seconds in-flight requests may take to finish after the shutdown signal [default: 30]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--migrate', '--migrate', [CompletionResultType]::ParameterName, 'Apply pending migrations before serving (SQLite databases always migrate themselves)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;migrate' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List the migrations that would run, and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every migration and whether it is applied or pending')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;migrate;status' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;migrate;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every migration and whether it is applied or pending')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;migrate;help;status' {
            break
        }
        'mita;migrate;help;help' {
            break
        }
        'mita;metrics' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The server''s metrics URL, or its base URL (`/metrics` is added). Default: the `server.metrics_bind` (else `server.bind`) of the configuration `mita serve` reads')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Bearer token when the server sets METRICS_TOKEN')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between the two scrapes used for rates')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Only metrics whose name starts with this prefix (e.g. mita_http)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Refresh the view every --interval until Ctrl-C (which exits 0)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the summary as JSON')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print the exposition text unchanged (after --filter)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective settings as TOML, secrets redacted')
            [CompletionResult]::new('example', 'example', [CompletionResultType]::ParameterValue, 'Print a commented example configuration file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;config;example' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective settings as TOML, secrets redacted')
            [CompletionResult]::new('example', 'example', [CompletionResultType]::ParameterValue, 'Print a commented example configuration file')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;config;help;show' {
            break
        }
        'mita;config;help;example' {
            break
        }
        'mita;config;help;help' {
            break
        }
        'mita;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write scripts for every shell into DIR')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 if the scripts in DIR differ from what this binary generates')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;man' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 if the pages in DIR differ from what this binary generates')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Unlock an account locked by failed logins (shows its state, then asks to confirm)')
            [CompletionResult]::new('locked', 'locked', [CompletionResultType]::ParameterValue, 'List the accounts that are locked right now, soonest unlock first')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Show user accounts')
            [CompletionResult]::new('revoke-tokens', 'revoke-tokens', [CompletionResultType]::ParameterValue, 'End every session of a user (all devices must sign in again)')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a user''s role (this also ends the user''s sessions)')
            [CompletionResult]::new('create-user', 'create-user', [CompletionResultType]::ParameterValue, 'Create an account; the password comes from a file or is generated, never from the command line')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'List audit events, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;admin;unlock' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the account is unlocked (recorded in the audit event)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would happen and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;locked' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;user' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account: role, failed logins, lock, token version, dates')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network')
            [CompletionResult]::new('reset-2fa', 'reset-2fa', [CompletionResultType]::ParameterValue, 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write everything stored about an account as JSON (a data subject access request)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;admin;user;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;user;sessions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;user;reset-2fa' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would happen and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;user;export' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the export to this file instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the export to this file instead of stdout')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the summary as JSON (with --output)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;user;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would happen and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;user;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account: role, failed logins, lock, token version, dates')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network')
            [CompletionResult]::new('reset-2fa', 'reset-2fa', [CompletionResultType]::ParameterValue, 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write everything stored about an account as JSON (a data subject access request)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;admin;user;help;show' {
            break
        }
        'mita;admin;user;help;sessions' {
            break
        }
        'mita;admin;user;help;reset-2fa' {
            break
        }
        'mita;admin;user;help;export' {
            break
        }
        'mita;admin;user;help;delete' {
            break
        }
        'mita;admin;user;help;help' {
            break
        }
        'mita;admin;revoke-tokens' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would happen and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;set-role' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would happen and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;create-user' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'The new account''s email address')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'The new account''s role')
            [CompletionResult]::new('--password-file', '--password-file', [CompletionResultType]::ParameterName, 'Read the password from the first line of this file (`-` for stdin)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--random-password', '--random-password', [CompletionResultType]::ParameterName, 'Generate a strong password and print it once')
            [CompletionResult]::new('--if-not-exists', '--if-not-exists', [CompletionResultType]::ParameterName, 'Succeed without changes when the account already exists (exit 0)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;audit' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only events about this user')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only events of this type')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events since a duration ago (30m, 24h, 7d) or an RFC 3339 instant')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most events to show (1-1000)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;admin;help' {
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Unlock an account locked by failed logins (shows its state, then asks to confirm)')
            [CompletionResult]::new('locked', 'locked', [CompletionResultType]::ParameterValue, 'List the accounts that are locked right now, soonest unlock first')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Show user accounts')
            [CompletionResult]::new('revoke-tokens', 'revoke-tokens', [CompletionResultType]::ParameterValue, 'End every session of a user (all devices must sign in again)')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a user''s role (this also ends the user''s sessions)')
            [CompletionResult]::new('create-user', 'create-user', [CompletionResultType]::ParameterValue, 'Create an account; the password comes from a file or is generated, never from the command line')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'List audit events, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;admin;help;unlock' {
            break
        }
        'mita;admin;help;locked' {
            break
        }
        'mita;admin;help;user' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account: role, failed logins, lock, token version, dates')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network')
            [CompletionResult]::new('reset-2fa', 'reset-2fa', [CompletionResultType]::ParameterValue, 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write everything stored about an account as JSON (a data subject access request)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images')
            break
        }
        'mita;admin;help;user;show' {
            break
        }
        'mita;admin;help;user;sessions' {
            break
        }
        'mita;admin;help;user;reset-2fa' {
            break
        }
        'mita;admin;help;user;export' {
            break
        }
        'mita;admin;help;user;delete' {
            break
        }
        'mita;admin;help;revoke-tokens' {
            break
        }
        'mita;admin;help;set-role' {
            break
        }
        'mita;admin;help;create-user' {
            break
        }
        'mita;admin;help;audit' {
            break
        }
        'mita;admin;help;help' {
            break
        }
        'mita;ocr' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List OCR jobs, newest first')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Put failed OCR jobs back in the queue; the running server''s workers process them again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;ocr;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only jobs in this state')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only jobs created since a duration ago (30m, 24h, 7d) or an RFC 3339 instant')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only jobs of this user')
            [CompletionResult]::new('--error-reason', '--error-reason', [CompletionResultType]::ParameterName, 'Only jobs that failed for this reason (circuit_open, engine_error, timeout, no_text...)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Most jobs to show (1-1000)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;ocr;replay' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'With --all-failed: only jobs created since a duration ago (24h, 7d) or an RFC 3339 instant')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'With --all-failed: only jobs of this user')
            [CompletionResult]::new('--error-reason', '--error-reason', [CompletionResultType]::ParameterName, 'With --all-failed: only jobs that failed for this reason (e.g. circuit_open)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'With --all-failed: most jobs to replay (1-1000)')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the jobs are replayed (stored with each job and in the audit event)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds --wait follows the jobs')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--all-failed', '--all-failed', [CompletionResultType]::ParameterName, 'Replay every failed job (narrowed by --since, --user, --error-reason, --limit)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Follow the replayed jobs until they finish (or --timeout); exit 1 if any fails again')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when stdin is not a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would happen and change nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;ocr;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List OCR jobs, newest first')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Put failed OCR jobs back in the queue; the running server''s workers process them again')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;ocr;help;list' {
            break
        }
        'mita;ocr;help;replay' {
            break
        }
        'mita;ocr;help;help' {
            break
        }
        'mita;db' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a backup of the configured database to FILE (never overwritten) and its manifest')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;db;backup' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the manifest as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;db;verify' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;db;help' {
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a backup of the configured database to FILE (never overwritten) and its manifest')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;db;help;backup' {
            break
        }
        'mita;db;help;verify' {
            break
        }
        'mita;db;help;help' {
            break
        }
        'mita;doctor' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the checks as JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;import' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'The email of the account to import into')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'csv, ofx, qfx or qif (detected from the content when absent)')
            [CompletionResult]::new('--mapping', '--mapping', [CompletionResultType]::ParameterName, 'A JSON file with the mapping (the same JSON as the route''s `mapping` field); the flags below override its fields')
            [CompletionResult]::new('--date', '--date', [CompletionResultType]::ParameterName, 'CSV: the date column')
            [CompletionResult]::new('--payee', '--payee', [CompletionResultType]::ParameterName, 'CSV: the payee column')
            [CompletionResult]::new('--amount', '--amount', [CompletionResultType]::ParameterName, 'CSV: the signed amount column')
            [CompletionResult]::new('--debit', '--debit', [CompletionResultType]::ParameterName, 'CSV: the money-out column (instead of --amount)')
            [CompletionResult]::new('--credit', '--credit', [CompletionResultType]::ParameterName, 'CSV: the money-in column (with --debit)')
            [CompletionResult]::new('--currency', '--currency', [CompletionResultType]::ParameterName, 'CSV: the currency column')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'CSV: the column of the bank''s own row id')
            [CompletionResult]::new('--date-format', '--date-format', [CompletionResultType]::ParameterName, 'A chrono date format (CSV default %Y-%m-%d)')
            [CompletionResult]::new('--decimal', '--decimal', [CompletionResultType]::ParameterName, 'The decimal separator: . or ,')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV: the delimiter (one character, or \t)')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'The text encoding (utf-8, utf-16le, windows-1252, latin1...); detected when absent')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account the file comes from (the rules'' account condition)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML configuration file (optional; defaults are used without one)')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log format on stderr')
            [CompletionResult]::new('--spends-positive', '--spends-positive', [CompletionResultType]::ParameterName, 'CSV: spends are positive amounts')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the preview and write nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'mita;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the HTTP API server')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply database migrations (or show their status)')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show a running server''s metrics at a glance')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print or check the effective configuration')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Generate shell completion scripts')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Generate man pages')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Support operations on accounts: unlock, sessions, roles, audit trail')
            [CompletionResult]::new('ocr', 'ocr', [CompletionResultType]::ParameterValue, 'Receipt OCR jobs: list them, replay the failed ones')
            [CompletionResult]::new('db', 'db', [CompletionResultType]::ParameterValue, 'Back the database up, or verify a backup by restoring it in a scratch place')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check this installation: configuration, secrets, database and migrations, clock, tesseract, room for receipts, SMTP, Google sign-in and the LLM')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its commit do: the same parsing, rules, duplicates and one transaction (docs/import.md)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'mita;help;serve' {
            break
        }
        'mita;help;migrate' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every migration and whether it is applied or pending')
            break
        }
        'mita;help;migrate;status' {
            break
        }
        'mita;help;metrics' {
            break
        }
        'mita;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective settings as TOML, secrets redacted')
            [CompletionResult]::new('example', 'example', [CompletionResultType]::ParameterValue, 'Print a commented example configuration file')
            break
        }
        'mita;help;config;show' {
            break
        }
        'mita;help;config;example' {
            break
        }
        'mita;help;completions' {
            break
        }
        'mita;help;man' {
            break
        }
        'mita;help;admin' {
            [CompletionResult]::new('unlock', 'unlock', [CompletionResultType]::ParameterValue, 'Unlock an account locked by failed logins (shows its state, then asks to confirm)')
            [CompletionResult]::new('locked', 'locked', [CompletionResultType]::ParameterValue, 'List the accounts that are locked right now, soonest unlock first')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Show user accounts')
            [CompletionResult]::new('revoke-tokens', 'revoke-tokens', [CompletionResultType]::ParameterValue, 'End every session of a user (all devices must sign in again)')
            [CompletionResult]::new('set-role', 'set-role', [CompletionResultType]::ParameterValue, 'Change a user''s role (this also ends the user''s sessions)')
            [CompletionResult]::new('create-user', 'create-user', [CompletionResultType]::ParameterValue, 'Create an account; the password comes from a file or is generated, never from the command line')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'List audit events, newest first')
            break
        }
        'mita;help;admin;unlock' {
            break
        }
        'mita;help;admin;locked' {
            break
        }
        'mita;help;admin;user' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one account: role, failed logins, lock, token version, dates')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network')
            [CompletionResult]::new('reset-2fa', 'reset-2fa', [CompletionResultType]::ParameterValue, 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write everything stored about an account as JSON (a data subject access request)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images')
            break
        }
        'mita;help;admin;user;show' {
            break
        }
        'mita;help;admin;user;sessions' {
            break
        }
        'mita;help;admin;user;reset-2fa' {
            break
        }
        'mita;help;admin;user;export' {
            break
        }
        'mita;help;admin;user;delete' {
            break
        }
        'mita;help;admin;revoke-tokens' {
            break
        }
        'mita;help;admin;set-role' {
            break
        }
        'mita;help;admin;create-user' {
            break
        }
        'mita;help;admin;audit' {
            break
        }
        'mita;help;ocr' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List OCR jobs, newest first')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Put failed OCR jobs back in the queue; the running server''s workers process them again')
            break
        }
        'mita;help;ocr;list' {
            break
        }
        'mita;help;ocr;replay' {
            break
        }
        'mita;help;db' {
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a backup of the configured database to FILE (never overwritten) and its manifest')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest')
            break
        }
        'mita;help;db;backup' {
            break
        }
        'mita;help;db;verify' {
            break
        }
        'mita;help;doctor' {
            break
        }
        'mita;help;import' {
            break
        }
        'mita;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

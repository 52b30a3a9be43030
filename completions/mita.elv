
use builtin;
use str;

set edit:completion:arg-completer[mita] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mita'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mita'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run the HTTP API server'
            cand migrate 'Apply database migrations (or show their status)'
            cand metrics 'Show a running server''s metrics at a glance'
            cand config 'Print or check the effective configuration'
            cand completions 'Generate shell completion scripts'
            cand man 'Generate man pages'
            cand admin 'Support operations on accounts: unlock, sessions, roles, audit trail'
            cand ocr 'Receipt OCR jobs: list them, replay the failed ones'
            cand db 'Back the database up, or verify a backup by restoring it in a scratch place'
            cand doctor 'Check this installation: configuration, secrets, database and migrations, clock, tesseract, room for receipts, SMTP, Google sign-in and the LLM'
            cand import 'Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its commit do: the same parsing, rules, duplicates and one transaction (docs/import.md)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;serve'= {
            cand --bind 'Address to listen on [default: 127.0.0.1:8000]'
            cand --metrics-bind 'Serve /metrics only on this separate (private) address'
            cand --shutdown-timeout 'Seconds in-flight requests may take to finish after the shutdown signal [default: 30]'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --migrate 'Apply pending migrations before serving (SQLite databases always migrate themselves)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;migrate'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --dry-run 'List the migrations that would run, and change nothing'
            cand --json 'Print the result as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand status 'Show every migration and whether it is applied or pending'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;migrate;status'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;migrate;help'= {
            cand status 'Show every migration and whether it is applied or pending'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;migrate;help;status'= {
        }
        &'mita;migrate;help;help'= {
        }
        &'mita;metrics'= {
            cand --url 'The server''s metrics URL, or its base URL (`/metrics` is added). Default: the `server.metrics_bind` (else `server.bind`) of the configuration `mita serve` reads'
            cand --token 'Bearer token when the server sets METRICS_TOKEN'
            cand --interval 'Seconds between the two scrapes used for rates'
            cand --filter 'Only metrics whose name starts with this prefix (e.g. mita_http)'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --watch 'Refresh the view every --interval until Ctrl-C (which exits 0)'
            cand --json 'Print the summary as JSON'
            cand --raw 'Print the exposition text unchanged (after --filter)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;config'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print the effective settings as TOML, secrets redacted'
            cand example 'Print a commented example configuration file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;config;show'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;config;example'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;config;help'= {
            cand show 'Print the effective settings as TOML, secrets redacted'
            cand example 'Print a commented example configuration file'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;config;help;show'= {
        }
        &'mita;config;help;example'= {
        }
        &'mita;config;help;help'= {
        }
        &'mita;completions'= {
            cand --dir 'Write scripts for every shell into DIR'
            cand --check 'Exit 1 if the scripts in DIR differ from what this binary generates'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;man'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --check 'Exit 1 if the pages in DIR differ from what this binary generates'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand unlock 'Unlock an account locked by failed logins (shows its state, then asks to confirm)'
            cand locked 'List the accounts that are locked right now, soonest unlock first'
            cand user 'Show user accounts'
            cand revoke-tokens 'End every session of a user (all devices must sign in again)'
            cand set-role 'Change a user''s role (this also ends the user''s sessions)'
            cand create-user 'Create an account; the password comes from a file or is generated, never from the command line'
            cand audit 'List audit events, newest first'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;admin;unlock'= {
            cand --reason 'Why the account is unlocked (recorded in the audit event)'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --dry-run 'Show what would happen and change nothing'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;locked'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;user'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Show one account: role, failed logins, lock, token version, dates'
            cand sessions 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network'
            cand reset-2fa 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)'
            cand export 'Write everything stored about an account as JSON (a data subject access request)'
            cand delete 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;admin;user;show'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;user;sessions'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;user;reset-2fa'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --dry-run 'Show what would happen and change nothing'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;user;export'= {
            cand -o 'Write the export to this file instead of stdout'
            cand --output 'Write the export to this file instead of stdout'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print the summary as JSON (with --output)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;user;delete'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --dry-run 'Show what would happen and change nothing'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;user;help'= {
            cand show 'Show one account: role, failed logins, lock, token version, dates'
            cand sessions 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network'
            cand reset-2fa 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)'
            cand export 'Write everything stored about an account as JSON (a data subject access request)'
            cand delete 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;admin;user;help;show'= {
        }
        &'mita;admin;user;help;sessions'= {
        }
        &'mita;admin;user;help;reset-2fa'= {
        }
        &'mita;admin;user;help;export'= {
        }
        &'mita;admin;user;help;delete'= {
        }
        &'mita;admin;user;help;help'= {
        }
        &'mita;admin;revoke-tokens'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --dry-run 'Show what would happen and change nothing'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;set-role'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --dry-run 'Show what would happen and change nothing'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;create-user'= {
            cand --email 'The new account''s email address'
            cand --role 'The new account''s role'
            cand --password-file 'Read the password from the first line of this file (`-` for stdin)'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --random-password 'Generate a strong password and print it once'
            cand --if-not-exists 'Succeed without changes when the account already exists (exit 0)'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;audit'= {
            cand --user 'Only events about this user'
            cand --event 'Only events of this type'
            cand --since 'Only events since a duration ago (30m, 24h, 7d) or an RFC 3339 instant'
            cand --limit 'Most events to show (1-1000)'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;admin;help'= {
            cand unlock 'Unlock an account locked by failed logins (shows its state, then asks to confirm)'
            cand locked 'List the accounts that are locked right now, soonest unlock first'
            cand user 'Show user accounts'
            cand revoke-tokens 'End every session of a user (all devices must sign in again)'
            cand set-role 'Change a user''s role (this also ends the user''s sessions)'
            cand create-user 'Create an account; the password comes from a file or is generated, never from the command line'
            cand audit 'List audit events, newest first'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;admin;help;unlock'= {
        }
        &'mita;admin;help;locked'= {
        }
        &'mita;admin;help;user'= {
            cand show 'Show one account: role, failed logins, lock, token version, dates'
            cand sessions 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network'
            cand reset-2fa 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)'
            cand export 'Write everything stored about an account as JSON (a data subject access request)'
            cand delete 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images'
        }
        &'mita;admin;help;user;show'= {
        }
        &'mita;admin;help;user;sessions'= {
        }
        &'mita;admin;help;user;reset-2fa'= {
        }
        &'mita;admin;help;user;export'= {
        }
        &'mita;admin;help;user;delete'= {
        }
        &'mita;admin;help;revoke-tokens'= {
        }
        &'mita;admin;help;set-role'= {
        }
        &'mita;admin;help;create-user'= {
        }
        &'mita;admin;help;audit'= {
        }
        &'mita;admin;help;help'= {
        }
        &'mita;ocr'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List OCR jobs, newest first'
            cand replay 'Put failed OCR jobs back in the queue; the running server''s workers process them again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;ocr;list'= {
            cand --status 'Only jobs in this state'
            cand --since 'Only jobs created since a duration ago (30m, 24h, 7d) or an RFC 3339 instant'
            cand --user 'Only jobs of this user'
            cand --error-reason 'Only jobs that failed for this reason (circuit_open, engine_error, timeout, no_text...)'
            cand --limit 'Most jobs to show (1-1000)'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;ocr;replay'= {
            cand --since 'With --all-failed: only jobs created since a duration ago (24h, 7d) or an RFC 3339 instant'
            cand --user 'With --all-failed: only jobs of this user'
            cand --error-reason 'With --all-failed: only jobs that failed for this reason (e.g. circuit_open)'
            cand --limit 'With --all-failed: most jobs to replay (1-1000)'
            cand --reason 'Why the jobs are replayed (stored with each job and in the audit event)'
            cand --timeout 'Seconds --wait follows the jobs'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --all-failed 'Replay every failed job (narrowed by --since, --user, --error-reason, --limit)'
            cand --wait 'Follow the replayed jobs until they finish (or --timeout); exit 1 if any fails again'
            cand -y 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --yes 'Do not ask for confirmation (required when stdin is not a terminal)'
            cand --dry-run 'Show what would happen and change nothing'
            cand --json 'Print JSON instead of a table'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;ocr;help'= {
            cand list 'List OCR jobs, newest first'
            cand replay 'Put failed OCR jobs back in the queue; the running server''s workers process them again'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;ocr;help;list'= {
        }
        &'mita;ocr;help;replay'= {
        }
        &'mita;ocr;help;help'= {
        }
        &'mita;db'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand backup 'Write a backup of the configured database to FILE (never overwritten) and its manifest'
            cand verify 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;db;backup'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print the manifest as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;db;verify'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print the result as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;db;help'= {
            cand backup 'Write a backup of the configured database to FILE (never overwritten) and its manifest'
            cand verify 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;db;help;backup'= {
        }
        &'mita;db;help;verify'= {
        }
        &'mita;db;help;help'= {
        }
        &'mita;doctor'= {
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --json 'Print the checks as JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;import'= {
            cand --user 'The email of the account to import into'
            cand --format 'csv, ofx, qfx or qif (detected from the content when absent)'
            cand --mapping 'A JSON file with the mapping (the same JSON as the route''s `mapping` field); the flags below override its fields'
            cand --date 'CSV: the date column'
            cand --payee 'CSV: the payee column'
            cand --amount 'CSV: the signed amount column'
            cand --debit 'CSV: the money-out column (instead of --amount)'
            cand --credit 'CSV: the money-in column (with --debit)'
            cand --currency 'CSV: the currency column'
            cand --id 'CSV: the column of the bank''s own row id'
            cand --date-format 'A chrono date format (CSV default %Y-%m-%d)'
            cand --decimal 'The decimal separator: . or ,'
            cand --delimiter 'CSV: the delimiter (one character, or \t)'
            cand --encoding 'The text encoding (utf-8, utf-16le, windows-1252, latin1...); detected when absent'
            cand --account 'The account the file comes from (the rules'' account condition)'
            cand --config 'TOML configuration file (optional; defaults are used without one)'
            cand --database-url 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)'
            cand --log-format 'Log format on stderr'
            cand --spends-positive 'CSV: spends are positive amounts'
            cand --dry-run 'Show the preview and write nothing'
            cand --json 'Print JSON'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'mita;help'= {
            cand serve 'Run the HTTP API server'
            cand migrate 'Apply database migrations (or show their status)'
            cand metrics 'Show a running server''s metrics at a glance'
            cand config 'Print or check the effective configuration'
            cand completions 'Generate shell completion scripts'
            cand man 'Generate man pages'
            cand admin 'Support operations on accounts: unlock, sessions, roles, audit trail'
            cand ocr 'Receipt OCR jobs: list them, replay the failed ones'
            cand db 'Back the database up, or verify a backup by restoring it in a scratch place'
            cand doctor 'Check this installation: configuration, secrets, database and migrations, clock, tesseract, room for receipts, SMTP, Google sign-in and the LLM'
            cand import 'Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its commit do: the same parsing, rules, duplicates and one transaction (docs/import.md)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mita;help;serve'= {
        }
        &'mita;help;migrate'= {
            cand status 'Show every migration and whether it is applied or pending'
        }
        &'mita;help;migrate;status'= {
        }
        &'mita;help;metrics'= {
        }
        &'mita;help;config'= {
            cand show 'Print the effective settings as TOML, secrets redacted'
            cand example 'Print a commented example configuration file'
        }
        &'mita;help;config;show'= {
        }
        &'mita;help;config;example'= {
        }
        &'mita;help;completions'= {
        }
        &'mita;help;man'= {
        }
        &'mita;help;admin'= {
            cand unlock 'Unlock an account locked by failed logins (shows its state, then asks to confirm)'
            cand locked 'List the accounts that are locked right now, soonest unlock first'
            cand user 'Show user accounts'
            cand revoke-tokens 'End every session of a user (all devices must sign in again)'
            cand set-role 'Change a user''s role (this also ends the user''s sessions)'
            cand create-user 'Create an account; the password comes from a file or is generated, never from the command line'
            cand audit 'List audit events, newest first'
        }
        &'mita;help;admin;unlock'= {
        }
        &'mita;help;admin;locked'= {
        }
        &'mita;help;admin;user'= {
            cand show 'Show one account: role, failed logins, lock, token version, dates'
            cand sessions 'List an account''s active sessions (one per sign-in): started, last used, user agent, approximate client network'
            cand reset-2fa 'Turn off an account''s two-factor sign-in (lost phone and recovery codes)'
            cand export 'Write everything stored about an account as JSON (a data subject access request)'
            cand delete 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images'
        }
        &'mita;help;admin;user;show'= {
        }
        &'mita;help;admin;user;sessions'= {
        }
        &'mita;help;admin;user;reset-2fa'= {
        }
        &'mita;help;admin;user;export'= {
        }
        &'mita;help;admin;user;delete'= {
        }
        &'mita;help;admin;revoke-tokens'= {
        }
        &'mita;help;admin;set-role'= {
        }
        &'mita;help;admin;create-user'= {
        }
        &'mita;help;admin;audit'= {
        }
        &'mita;help;ocr'= {
            cand list 'List OCR jobs, newest first'
            cand replay 'Put failed OCR jobs back in the queue; the running server''s workers process them again'
        }
        &'mita;help;ocr;list'= {
        }
        &'mita;help;ocr;replay'= {
        }
        &'mita;help;db'= {
            cand backup 'Write a backup of the configured database to FILE (never overwritten) and its manifest'
            cand verify 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest'
        }
        &'mita;help;db;backup'= {
        }
        &'mita;help;db;verify'= {
        }
        &'mita;help;doctor'= {
        }
        &'mita;help;import'= {
        }
        &'mita;help;help'= {
        }
    ]
    $completions[$command]
}

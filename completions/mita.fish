# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mita_global_optspecs
    string join \n config= database-url= log-format= h/help V/version
end

function __fish_mita_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mita_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mita_using_subcommand
    set -l cmd (__fish_mita_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mita -n "__fish_mita_needs_command" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_needs_command" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_needs_command" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_needs_command" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_needs_command" -f -a "serve" -d 'Run the HTTP API server'
complete -c mita -n "__fish_mita_needs_command" -f -a "migrate" -d 'Apply database migrations (or show their status)'
complete -c mita -n "__fish_mita_needs_command" -f -a "metrics" -d 'Show a running server\'s metrics at a glance'
complete -c mita -n "__fish_mita_needs_command" -f -a "config" -d 'Print or check the effective configuration'
complete -c mita -n "__fish_mita_needs_command" -f -a "completions" -d 'Generate shell completion scripts'
complete -c mita -n "__fish_mita_needs_command" -f -a "man" -d 'Generate man pages'
complete -c mita -n "__fish_mita_needs_command" -f -a "admin" -d 'Support operations on accounts: unlock, sessions, roles, audit trail'
complete -c mita -n "__fish_mita_needs_command" -f -a "ocr" -d 'Receipt OCR jobs: list them, replay the failed ones'
complete -c mita -n "__fish_mita_needs_command" -f -a "db" -d 'Back the database up, or verify a backup by restoring it in a scratch place'
complete -c mita -n "__fish_mita_needs_command" -f -a "doctor" -d 'Check this installation: configuration, secrets, database and migrations, clock, tesseract, room for receipts, SMTP, Google sign-in and the LLM'
complete -c mita -n "__fish_mita_needs_command" -f -a "import" -d 'Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its commit do: the same parsing, rules, duplicates and one transaction (docs/import.md)'
complete -c mita -n "__fish_mita_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand serve" -l bind -d 'Address to listen on [default: 127.0.0.1:8000]' -r
complete -c mita -n "__fish_mita_using_subcommand serve" -l metrics-bind -d 'Serve /metrics only on this separate (private) address' -r
complete -c mita -n "__fish_mita_using_subcommand serve" -l shutdown-timeout -d 'Seconds in-flight requests may take to finish after the shutdown signal [default: 30]' -r
complete -c mita -n "__fish_mita_using_subcommand serve" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand serve" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand serve" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand serve" -l migrate -d 'Apply pending migrations before serving (SQLite databases always migrate themselves)'
complete -c mita -n "__fish_mita_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand serve" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -l dry-run -d 'List the migrations that would run, and change nothing'
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -l json -d 'Print the result as JSON'
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -f -a "status" -d 'Show every migration and whether it is applied or pending'
complete -c mita -n "__fish_mita_using_subcommand migrate; and not __fish_seen_subcommand_from status help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from status" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from status" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from status" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from status" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show every migration and whether it is applied or pending'
complete -c mita -n "__fish_mita_using_subcommand migrate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand metrics" -l url -d 'The server\'s metrics URL, or its base URL (`/metrics` is added). Default: the `server.metrics_bind` (else `server.bind`) of the configuration `mita serve` reads' -r
complete -c mita -n "__fish_mita_using_subcommand metrics" -l token -d 'Bearer token when the server sets METRICS_TOKEN' -r
complete -c mita -n "__fish_mita_using_subcommand metrics" -l interval -d 'Seconds between the two scrapes used for rates' -r
complete -c mita -n "__fish_mita_using_subcommand metrics" -l filter -d 'Only metrics whose name starts with this prefix (e.g. mita_http)' -r
complete -c mita -n "__fish_mita_using_subcommand metrics" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand metrics" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand metrics" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand metrics" -l watch -d 'Refresh the view every --interval until Ctrl-C (which exits 0)'
complete -c mita -n "__fish_mita_using_subcommand metrics" -l json -d 'Print the summary as JSON'
complete -c mita -n "__fish_mita_using_subcommand metrics" -l raw -d 'Print the exposition text unchanged (after --filter)'
complete -c mita -n "__fish_mita_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand metrics" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -f -a "show" -d 'Print the effective settings as TOML, secrets redacted'
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -f -a "example" -d 'Print a commented example configuration file'
complete -c mita -n "__fish_mita_using_subcommand config; and not __fish_seen_subcommand_from show example help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from show" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from show" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from example" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from example" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from example" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from example" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from example" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective settings as TOML, secrets redacted'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "example" -d 'Print a commented example configuration file'
complete -c mita -n "__fish_mita_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand completions" -l dir -d 'Write scripts for every shell into DIR' -r -F
complete -c mita -n "__fish_mita_using_subcommand completions" -l check -d 'Exit 1 if the scripts in DIR differ from what this binary generates' -r -F
complete -c mita -n "__fish_mita_using_subcommand completions" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand completions" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand completions" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand completions" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand man" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand man" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand man" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand man" -l check -d 'Exit 1 if the pages in DIR differ from what this binary generates'
complete -c mita -n "__fish_mita_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand man" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "unlock" -d 'Unlock an account locked by failed logins (shows its state, then asks to confirm)'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "locked" -d 'List the accounts that are locked right now, soonest unlock first'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "user" -d 'Show user accounts'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "revoke-tokens" -d 'End every session of a user (all devices must sign in again)'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "set-role" -d 'Change a user\'s role (this also ends the user\'s sessions)'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "create-user" -d 'Create an account; the password comes from a file or is generated, never from the command line'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "audit" -d 'List audit events, newest first'
complete -c mita -n "__fish_mita_using_subcommand admin; and not __fish_seen_subcommand_from unlock locked user revoke-tokens set-role create-user audit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l reason -d 'Why the account is unlocked (recorded in the audit event)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l dry-run -d 'Show what would happen and change nothing'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from unlock" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from locked" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from locked" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from locked" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from locked" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from locked" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from locked" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "show" -d 'Show one account: role, failed logins, lock, token version, dates'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "sessions" -d 'List an account\'s active sessions (one per sign-in): started, last used, user agent, approximate client network'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "reset-2fa" -d 'Turn off an account\'s two-factor sign-in (lost phone and recovery codes)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "export" -d 'Write everything stored about an account as JSON (a data subject access request)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "delete" -d 'Erase an account (a right-to-erasure request): every row of the user removed and their audit events kept under a random pseudonym, in one transaction; then their receipt images'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from user" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -l dry-run -d 'Show what would happen and change nothing'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from revoke-tokens" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -l dry-run -d 'Show what would happen and change nothing'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from set-role" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l email -d 'The new account\'s email address' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l role -d 'The new account\'s role' -r -f -a "admin\t'May use the admin API and read the audit log'
user\t'A regular (basic) user'
premium_user\t'A premium user'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l password-file -d 'Read the password from the first line of this file (`-` for stdin)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l random-password -d 'Generate a strong password and print it once'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l if-not-exists -d 'Succeed without changes when the account already exists (exit 0)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from create-user" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l user -d 'Only events about this user' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l event -d 'Only events of this type' -r -f -a "register\t''
login_success\t''
login_failure\t''
login_locked\t''
lockout\t''
unlock\t''
refresh\t''
refresh_reuse_detected\t''
logout\t''
revoke\t''
password_change\t''
password_reset_request\t''
password_reset_complete\t''
account_deletion\t''
role_change\t''
admin_action\t''
google_login\t''
email_verify\t''
email_change_request\t''
email_change\t''
session_revoke\t''
two_factor_enable\t''
two_factor_disable\t''
two_factor_challenge\t''
audit_purge\t''
token_create\t''
token_revoke\t''"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l since -d 'Only events since a duration ago (30m, 24h, 7d) or an RFC 3339 instant' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l limit -d 'Most events to show (1-1000)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from audit" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "unlock" -d 'Unlock an account locked by failed logins (shows its state, then asks to confirm)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "locked" -d 'List the accounts that are locked right now, soonest unlock first'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "user" -d 'Show user accounts'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "revoke-tokens" -d 'End every session of a user (all devices must sign in again)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "set-role" -d 'Change a user\'s role (this also ends the user\'s sessions)'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "create-user" -d 'Create an account; the password comes from a file or is generated, never from the command line'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "audit" -d 'List audit events, newest first'
complete -c mita -n "__fish_mita_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -f -a "list" -d 'List OCR jobs, newest first'
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -f -a "replay" -d 'Put failed OCR jobs back in the queue; the running server\'s workers process them again'
complete -c mita -n "__fish_mita_using_subcommand ocr; and not __fish_seen_subcommand_from list replay help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l status -d 'Only jobs in this state' -r -f -a "pending\t'Waiting for a worker'
processing\t'Leased by a worker'
completed\t'Read and parsed'
failed\t'Given up (replayable while the image is kept)'"
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l since -d 'Only jobs created since a duration ago (30m, 24h, 7d) or an RFC 3339 instant' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l user -d 'Only jobs of this user' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l error-reason -d 'Only jobs that failed for this reason (circuit_open, engine_error, timeout, no_text...)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l limit -d 'Most jobs to show (1-1000)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l since -d 'With --all-failed: only jobs created since a duration ago (24h, 7d) or an RFC 3339 instant' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l user -d 'With --all-failed: only jobs of this user' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l error-reason -d 'With --all-failed: only jobs that failed for this reason (e.g. circuit_open)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l limit -d 'With --all-failed: most jobs to replay (1-1000)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l reason -d 'Why the jobs are replayed (stored with each job and in the audit event)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l timeout -d 'Seconds --wait follows the jobs' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l all-failed -d 'Replay every failed job (narrowed by --since, --user, --error-reason, --limit)'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l wait -d 'Follow the replayed jobs until they finish (or --timeout); exit 1 if any fails again'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -s y -l yes -d 'Do not ask for confirmation (required when stdin is not a terminal)'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l dry-run -d 'Show what would happen and change nothing'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -l json -d 'Print JSON instead of a table'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from help" -f -a "list" -d 'List OCR jobs, newest first'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Put failed OCR jobs back in the queue; the running server\'s workers process them again'
complete -c mita -n "__fish_mita_using_subcommand ocr; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -f -a "backup" -d 'Write a backup of the configured database to FILE (never overwritten) and its manifest'
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -f -a "verify" -d 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest'
complete -c mita -n "__fish_mita_using_subcommand db; and not __fish_seen_subcommand_from backup verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from backup" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from backup" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from backup" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from backup" -l json -d 'Print the manifest as JSON'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from backup" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from verify" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from verify" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from verify" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from verify" -l json -d 'Print the result as JSON'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "backup" -d 'Write a backup of the configured database to FILE (never overwritten) and its manifest'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest'
complete -c mita -n "__fish_mita_using_subcommand db; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand doctor" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand doctor" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand doctor" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand doctor" -l json -d 'Print the checks as JSON'
complete -c mita -n "__fish_mita_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand import" -l user -d 'The email of the account to import into' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l format -d 'csv, ofx, qfx or qif (detected from the content when absent)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l mapping -d 'A JSON file with the mapping (the same JSON as the route\'s `mapping` field); the flags below override its fields' -r -F
complete -c mita -n "__fish_mita_using_subcommand import" -l date -d 'CSV: the date column' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l payee -d 'CSV: the payee column' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l amount -d 'CSV: the signed amount column' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l debit -d 'CSV: the money-out column (instead of --amount)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l credit -d 'CSV: the money-in column (with --debit)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l currency -d 'CSV: the currency column' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l id -d 'CSV: the column of the bank\'s own row id' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l date-format -d 'A chrono date format (CSV default %Y-%m-%d)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l decimal -d 'The decimal separator: . or ,' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l delimiter -d 'CSV: the delimiter (one character, or \\t)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l encoding -d 'The text encoding (utf-8, utf-16le, windows-1252, latin1...); detected when absent' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l account -d 'The account the file comes from (the rules\' account condition)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l config -d 'TOML configuration file (optional; defaults are used without one)' -r -F
complete -c mita -n "__fish_mita_using_subcommand import" -l database-url -d 'Database URL: sqlite://FILE?mode=rwc or postgres://... (overrides DATABASE_URL)' -r
complete -c mita -n "__fish_mita_using_subcommand import" -l log-format -d 'Log format on stderr' -r -f -a "pretty\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c mita -n "__fish_mita_using_subcommand import" -l spends-positive -d 'CSV: spends are positive amounts'
complete -c mita -n "__fish_mita_using_subcommand import" -l dry-run -d 'Show the preview and write nothing'
complete -c mita -n "__fish_mita_using_subcommand import" -l json -d 'Print JSON'
complete -c mita -n "__fish_mita_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mita -n "__fish_mita_using_subcommand import" -s V -l version -d 'Print version'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "serve" -d 'Run the HTTP API server'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "migrate" -d 'Apply database migrations (or show their status)'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "metrics" -d 'Show a running server\'s metrics at a glance'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "config" -d 'Print or check the effective configuration'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "completions" -d 'Generate shell completion scripts'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "man" -d 'Generate man pages'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "admin" -d 'Support operations on accounts: unlock, sessions, roles, audit trail'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "ocr" -d 'Receipt OCR jobs: list them, replay the failed ones'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "db" -d 'Back the database up, or verify a backup by restoring it in a scratch place'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "doctor" -d 'Check this installation: configuration, secrets, database and migrations, clock, tesseract, room for receipts, SMTP, Google sign-in and the LLM'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "import" -d 'Import a bank file (CSV, OFX/QFX or QIF) for a user, as `POST /api/import` and its commit do: the same parsing, rules, duplicates and one transaction (docs/import.md)'
complete -c mita -n "__fish_mita_using_subcommand help; and not __fish_seen_subcommand_from serve migrate metrics config completions man admin ocr db doctor import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from migrate" -f -a "status" -d 'Show every migration and whether it is applied or pending'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective settings as TOML, secrets redacted'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "example" -d 'Print a commented example configuration file'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "unlock" -d 'Unlock an account locked by failed logins (shows its state, then asks to confirm)'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "locked" -d 'List the accounts that are locked right now, soonest unlock first'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "user" -d 'Show user accounts'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "revoke-tokens" -d 'End every session of a user (all devices must sign in again)'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "set-role" -d 'Change a user\'s role (this also ends the user\'s sessions)'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "create-user" -d 'Create an account; the password comes from a file or is generated, never from the command line'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "audit" -d 'List audit events, newest first'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from ocr" -f -a "list" -d 'List OCR jobs, newest first'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from ocr" -f -a "replay" -d 'Put failed OCR jobs back in the queue; the running server\'s workers process them again'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "backup" -d 'Write a backup of the configured database to FILE (never overwritten) and its manifest'
complete -c mita -n "__fish_mita_using_subcommand help; and __fish_seen_subcommand_from db" -f -a "verify" -d 'Restore FILE in a scratch place (PostgreSQL: a scratch database on the configured server, dropped afterwards) and compare it with its manifest'

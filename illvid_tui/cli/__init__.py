"""Subcommands for scripts and cron: `illvid-tui account`, `check`, `renew`, ...

The CLI is the second front-end over core, beside the Textual app: every
rule (batching, the unknown outcome of a send, redaction, the queue, the
diff with the last check, renewals) is core's, called the same way the app
calls it. Nothing here imports Textual, directly or not (import-linter and
a test check it). One module per subcommand or small group; `output` holds
printing and the exit statuses, `context` what every command needs.
"""

"""`dashkit backtest`: replay alert rules over the history a real Prometheus holds, and report when they would have
fired (see docs/backtest.md). `engine.run` is the entry point; the CLI is dashkit.cli.backtest_cmd."""

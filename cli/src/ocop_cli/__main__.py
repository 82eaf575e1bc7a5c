from ocop_cli.main import app

app()

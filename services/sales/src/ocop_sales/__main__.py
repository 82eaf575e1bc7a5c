from ocop_shared.cli import main

from ocop_sales.app import build

if __name__ == "__main__":
    main(*build(), factory="ocop_sales.app:asgi")

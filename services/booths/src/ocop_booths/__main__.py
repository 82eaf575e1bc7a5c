from ocop_shared.cli import main

from ocop_booths.app import build

if __name__ == "__main__":
    main(*build(), factory="ocop_booths.app:asgi")

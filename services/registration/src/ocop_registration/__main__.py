from ocop_shared.cli import main

from ocop_registration.app import build

if __name__ == "__main__":
    main(*build(), factory="ocop_registration.app:asgi")

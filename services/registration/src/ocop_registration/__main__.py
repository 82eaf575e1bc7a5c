from ocop_registration.app import build
from ocop_shared.cli import main

if __name__ == "__main__":
    main(*build(), factory="ocop_registration.app:asgi")

"""The web app: the organizer console and the exhibitor portal over the three services."""

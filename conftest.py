pytest_plugins = ["ocop_shared.testing"]

pytest_plugins = ["ocop_testkit"]

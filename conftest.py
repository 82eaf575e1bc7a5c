import os

# Test suites sign up and sign in hundreds of accounts from one address within minutes; the
# per-address rate limits (ocop_shared.ratelimit) are raised for them. The tests of the limits
# themselves set their own.
os.environ.setdefault("OCOP_RATE_LIMIT_FACTOR", "1000")

pytest_plugins = ["ocop_testkit"]

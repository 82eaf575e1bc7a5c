"""Who may do what on the broker: the ACL table, and the admin step that grants it.

One SCRAM principal per service (``User:registration``, ``User:booths``, ``User:sales``) and
``User:admin`` (a super user: it creates users' ACLs and the test kit's topics). The broker
runs KRaft's ``StandardAuthorizer`` with ``allow.everyone.if.no.acl.found=false``: what is
not granted here is refused.

=============  ================================================  ===========================
principal      resource (pattern)                                operations
=============  ================================================  ===========================
each service   each topic it owns (``Topic.producer``; LITERAL)  WRITE, CREATE (+DESCRIBE)
each service   each topic it consumes (``CONSUMES``; LITERAL)    READ, CREATE (+DESCRIBE)
each service   groups ``<service>.`` (PREFIXED)                  READ (+DESCRIBE)
each reader    each topic it watches (``READERS``; LITERAL)      READ (+DESCRIBE)
=============  ================================================  ===========================

A *reader* is a process that is no service and owns no data: the web app (``User:web``)
watches ``sales.sales`` only to tell open pages "fair X changed". It ``assign()``s itself the
partitions from the latest offset with no consumer group, so it needs no group ACL, creates
nothing and writes nothing.

WRITE and READ imply DESCRIBE. The relay's idempotent producer needs no IDEMPOTENT_WRITE
(since Kafka 3.0 WRITE on a topic allows it); no transactions are used. CREATE on the topics
a service reads as well as writes lets whichever service starts first create them.

**Topic prefixes.** Every name above is the physical one: ``prefix + name``. A LITERAL or
PREFIXED pattern on ``registration.fairs`` does not cover ``t1234abcd.registration.fairs``
(Kafka patterns match from the start of the name), so the table is a function of the prefix:
``bindings(prefix)``. The local stack and compose grant it for the deployment's prefix
(``""``); a test run (the test kit's ``stack_settings``), the end-to-end test and the
benchmarks grant it for their own prefix through the admin principal and remove it after.

``python -m ocop_shared.kafka_acl apply [--prefix P]`` (and ``remove``, ``show``) runs as
the settings' Kafka user, which must be the admin (``OCOP_KAFKA_USERNAME=admin``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest

from ocop_shared.kafka import client_options
from ocop_shared.settings import CommonSettings
from ocop_shared.topics import (
    BOOTHS_ASSIGNMENTS,
    CATALOG,
    REGISTRATION_APPLICATIONS,
    REGISTRATION_CREDENTIALS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
    SALES_SALES,
    Topic,
)

SERVICES = ("registration", "booths", "sales")
ADMIN = "admin"
# What each service reads (its subscriptions; tests/test_kafka_acl.py checks the services'
# consumers against this).
CONSUMES: dict[str, tuple[Topic, ...]] = {
    "registration": (SALES_SALES,),
    "booths": (
        REGISTRATION_FAIRS,
        REGISTRATION_APPLICATIONS,
        REGISTRATION_PRODUCTS,
        REGISTRATION_CREDENTIALS,
    ),
    "sales": (
        REGISTRATION_FAIRS,
        REGISTRATION_EXHIBITORS,
        REGISTRATION_APPLICATIONS,
        REGISTRATION_PRODUCTS,
        REGISTRATION_CREDENTIALS,
        BOOTHS_ASSIGNMENTS,
    ),
}

# Readers (no service, no group, no topic created): what each one reads.
READERS: dict[str, tuple[Topic, ...]] = {
    "web": (SALES_SALES,),
}
PRINCIPALS = (*SERVICES, *READERS)

# The protocol's codes (org.apache.kafka.common.resource / acl).
TOPIC, GROUP = 2, 3
LITERAL, PREFIXED = 3, 4
READ, WRITE, CREATE, DESCRIBE = 3, 4, 5, 8
ALLOW = 3
# Each kind of code has its own names: the numbers overlap (GROUP, LITERAL and READ are all 3).
_RESOURCE_NAMES = {TOPIC: "topic", GROUP: "group"}
_PATTERN_NAMES = {LITERAL: "literal", PREFIXED: "prefixed"}
_OPERATION_NAMES = {READ: "READ", WRITE: "WRITE", CREATE: "CREATE", DESCRIBE: "DESCRIBE"}


@dataclass(frozen=True, slots=True, order=True)
class Binding:
    principal: str  # "User:sales"
    resource_type: int
    name: str
    pattern: int
    operation: int

    def __str__(self) -> str:
        return (
            f"{self.principal:<18} {_RESOURCE_NAMES[self.resource_type]:<6} "
            f"{_PATTERN_NAMES[self.pattern]:<9} {self.name:<40} "
            f"{_OPERATION_NAMES[self.operation]}"
        )


def owned(service: str) -> list[Topic]:
    return [t for t in CATALOG.values() if t.producer == service]


def topics_of(service: str) -> list[Topic]:
    """The topics a service writes or reads (those it may create)."""
    return list(dict.fromkeys([*owned(service), *CONSUMES.get(service, ())]))


def bindings(prefix: str = "", services: Iterable[str] = PRINCIPALS) -> list[Binding]:
    found: list[Binding] = []
    for service in services:
        user = f"User:{service}"
        if service in READERS:
            for topic in READERS[service]:
                found.append(Binding(user, TOPIC, topic.physical(prefix), LITERAL, READ))
            continue
        for topic in owned(service):
            for op in (WRITE, CREATE):
                found.append(Binding(user, TOPIC, topic.physical(prefix), LITERAL, op))
        for topic in CONSUMES.get(service, ()):
            for op in (READ, CREATE):
                found.append(Binding(user, TOPIC, topic.physical(prefix), LITERAL, op))
        found.append(Binding(user, GROUP, f"{prefix}{service}.", PREFIXED, READ))
    return found


async def _admin(settings: CommonSettings, timeout: float) -> AIOKafkaAdminClient:
    """An admin client, started; retries while the broker is still coming up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        admin = AIOKafkaAdminClient(**client_options(settings), client_id="ocop-acls")
        try:
            await admin.start()
            return admin
        except Exception:
            await admin.close()
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def apply(settings: CommonSettings, prefix: str = "", *, timeout: float = 60.0) -> int:
    """Grants ``bindings(prefix)`` (idempotent: a binding that exists stays one)."""
    admin = await _admin(settings, timeout)
    try:
        wanted = bindings(prefix)
        responses = await asyncio.gather(
            *[
                admin._send_request(  # aiokafka's admin client has no ACL method yet
                    CreateAclsRequest(
                        b.resource_type, b.name, b.pattern, b.principal, "*", b.operation, ALLOW
                    )
                )
                for b in wanted
            ]
        )
        for binding, response in zip(wanted, responses, strict=True):
            for code, message in response.creation_responses:
                if code:
                    raise for_code(code)(f"granting {binding}: {message}")
        return len(wanted)
    finally:
        await admin.close()


async def remove(settings: CommonSettings, prefix: str, *, timeout: float = 30.0) -> int:
    """Takes ``bindings(prefix)`` away (a test run's, when it ends)."""
    admin = await _admin(settings, timeout)
    try:
        wanted = bindings(prefix)
        responses = await asyncio.gather(
            *[
                admin._send_request(
                    DeleteAclsRequest(
                        b.resource_type, b.name, b.pattern, b.principal, "*", b.operation, ALLOW
                    )
                )
                for b in wanted
            ]
        )
        removed = 0
        for binding, response in zip(wanted, responses, strict=True):
            for entry in response.filter_responses:
                code, message, matching = entry[0], entry[1], entry[2]
                if code:
                    raise for_code(code)(f"removing {binding}: {message}")
                removed += len(matching)
        return removed
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ocop_shared.kafka_acl", description=__doc__)
    parser.add_argument("command", choices=["apply", "remove", "show"])
    parser.add_argument("--prefix", default=None, help="topic prefix (default: OCOP_TOPIC_PREFIX)")
    args = parser.parse_args(argv)
    settings = CommonSettings()
    prefix = settings.topic_prefix if args.prefix is None else args.prefix
    if args.command == "show":
        for binding in sorted(bindings(prefix)):
            print(binding)
        return 0
    if settings.kafka_username != ADMIN:
        print(
            f"kafka_acl: run as the admin principal (OCOP_KAFKA_USERNAME={ADMIN}), "
            f"not {settings.kafka_username!r}",
            file=sys.stderr,
        )
        return 2
    if args.command == "apply":
        count = asyncio.run(apply(settings, prefix))
        print(f"kafka_acl: {count} ACL bindings granted (prefix {prefix!r})", file=sys.stderr)
    else:
        count = asyncio.run(remove(settings, prefix))
        print(f"kafka_acl: {count} ACL bindings removed (prefix {prefix!r})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

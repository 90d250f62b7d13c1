"""Pure evaluators: facts in, CheckResult out. No sockets here (DNS facts come through a lookup object
that may be a recording; network facts come as dataclasses from ippo.checks.collect)."""

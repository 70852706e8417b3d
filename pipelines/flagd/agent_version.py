"""Which version of the agent serves a conversation: AgentCanary's flagd flag, evaluated in the agent's process.

`canary-deploy start --router flagd` writes flags.json: one flag, named after the agent, whose variants are the
baseline and candidate versions. The agent evaluates it with the OpenFeature SDK and flagd's in-process provider
at every turn of a conversation, passing the conversation id as the targeting key and the time the conversation
started (`conversation_started_at`, Unix seconds). A conversation never changes version: the flag assigns it by
the rollout period it started in, and keeps it there until the drain after a promotion or rollback ends.

The version it got goes on the agent's span as `feature_flag.result.variant` (the attribute the monitor reads
as the version; OpenFeature's OpenTelemetry hook writes the same attribute), with the flag's key.

    pip install openfeature-sdk openfeature-provider-flagd
    versions = AgentVersions("support-agent", flags_path="canary-out/flags.json", fallback="1.4.0")
    details = versions.evaluate(conversation_id, started_at, headers=request_headers)
    # ... run the agent configuration of details.value: its prompt, model and tools ...
    versions.record(span, details)

With a flagd daemon instead of a file, pass `host` and `port` (flagd serves the file to every replica, and the
in-process provider follows its changes): `AgentVersions("support-agent", host="flagd", port=8015)`.
"""

import time

from openfeature import api
from openfeature.contrib.provider.flagd import FlagdProvider
from openfeature.contrib.provider.flagd.config import ResolverType
from openfeature.evaluation_context import EvaluationContext
from openfeature.provider import ProviderStatus


class AgentVersions:
    """The flag AgentCanary renders for `agent`, evaluated in process."""

    def __init__(self, agent, flags_path=None, host=None, port=None, fallback=None, ready_within=10.0):
        if flags_path:
            provider = FlagdProvider(resolver_type=ResolverType.IN_PROCESS, offline_flag_source_path=flags_path)
        else:
            provider = FlagdProvider(resolver_type=ResolverType.IN_PROCESS, host=host, port=port)
        # The agent's own client, so that another flag provider of the process is left alone.
        api.set_provider(provider, domain=f"agent-canary/{agent}")
        self.client = api.get_client(domain=f"agent-canary/{agent}")
        self.agent = agent
        # The version served when the flag cannot be evaluated: the one in production before the canary.
        self.fallback = fallback or ""
        # The provider loads the definition in the background: until it has, every evaluation is the fallback.
        deadline = time.monotonic() + ready_within
        while self.client.get_provider_status() != ProviderStatus.READY:
            if time.monotonic() > deadline:
                raise RuntimeError(f"flagd's provider is not ready after {ready_within} s")
            time.sleep(0.01)

    def evaluate(self, conversation_id, started_at, headers=None, cookies=None):
        """The version for one turn of a conversation (`.value`), with the variant and the reason."""
        attributes = {
            # The pin header (rollout.pin_header) and the A/B and dark-launch rules read these.
            "headers": {name.lower(): value for name, value in (headers or {}).items()},
            "cookies": dict(cookies or {}),
        }
        # Without it the conversation counts as one that started before the canary: the baseline until the drain
        # after a promotion ends.
        if started_at is not None:
            attributes["conversation_started_at"] = int(started_at)
        context = EvaluationContext(targeting_key=conversation_id, attributes=attributes)
        return self.client.get_string_details(self.agent, self.fallback, context)

    def record(self, span, details):
        """Writes the version on the agent's span, as the monitor and OpenFeature's OpenTelemetry hook name it."""
        span.set_attribute("feature_flag.key", details.flag_key)
        if details.variant:
            span.set_attribute("feature_flag.result.variant", details.variant)
        span.set_attribute("gen_ai.agent.version", details.value)

    def close(self):
        api.shutdown()

"""A synthetic multi-project history of coding-agent milestones with relevance judgments, for the search
relevance check (tests/unit/test_search_relevance.py) and the benchmark (recall@5, MRR).

Six projects each work on five of eight topics (auth, caching, rate limiting, migrations, CI,
observability, search, payments), one branch per topic. Every topic has facts, each with two
phrasings; a branch's milestones introduce its facts in order (``thisContribution``), carry the branch's
purpose, and a ``cumulativeProgress`` that recalls the last facts done (as agents write it), so later
milestones mention earlier facts too. Filler milestones (lint, docs, refactors) add noise. A query is
relevant to the milestones that introduced its fact, in any project (one to four of them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# topic -> (branch purpose, [(fact id, short summary, [phrasings of the contribution])])
TOPICS: dict[str, tuple[str, list[tuple[str, str, list[str]]]]] = {
    "auth": ("Implement authentication and authorization for the API", [
        ("jwt-validation", "JWT validation", [
            "Validate JWT signatures against the JWKS endpoint, caching the signing keys",
            "Added RS256 JWT signature verification using the issuer's JWKS keys"]),
        ("refresh-rotation", "refresh tokens", [
            "Implemented refresh token rotation with reuse detection",
            "Rotate refresh tokens on every exchange and revoke the family when a reused token shows up"]),
        ("rbac", "RBAC", [
            "Role-based access control middleware mapping roles to route permissions",
            "Added RBAC checks: viewer, member and admin roles enforced per endpoint"]),
        ("password-hashing", "password hashing", [
            "Switched password hashing from bcrypt to argon2id with per-user salts",
            "Migrated stored password hashes to Argon2id, rehashing on the next login"]),
        ("oauth-pkce", "OAuth login", [
            "Added the OAuth 2.0 authorization code flow with PKCE for the CLI login",
            "CLI login now uses the OAuth authorization-code grant with a PKCE challenge"]),
        ("session-expiry", "session timeout", [
            "Sessions expire after 30 minutes of inactivity, with sliding expiration on activity",
            "Idle session timeout with a sliding expiry window"]),
        ("mfa-totp", "MFA", [
            "TOTP multi-factor authentication enrollment with QR codes and recovery codes",
            "Added MFA via time-based one-time passwords and backup recovery codes"]),
        ("api-keys", "API keys", [
            "Scoped API keys for service accounts, hashed at rest with prefix lookup",
            "Service account API keys: hashed storage, scopes and last-used timestamps"]),
    ]),
    "caching": ("Caching layer for hot read paths", [
        ("redis-l1", "Redis cache", [
            "Added Redis as the L1 cache in front of the Postgres reads",
            "Introduced a Redis read-through cache for hot queries"]),
        ("cache-invalidation", "invalidation", [
            "Cache invalidation on write via pub/sub messages to every node",
            "Invalidate cached entries on update by broadcasting keys over Redis pub/sub"]),
        ("ttl-jitter", "TTL jitter", [
            "Randomized TTL jitter to avoid cache stampedes at expiry",
            "Added jitter to expiration times so that keys do not all expire together (stampede)"]),
        ("hit-metrics", "hit ratio metrics", [
            "Cache hit/miss ratio metrics exported to Prometheus",
            "Instrumented cache hits and misses with Prometheus counters"]),
        ("semantic-cache", "semantic cache", [
            "Semantic cache for LLM prompts using embedding similarity in Milvus",
            "Prompt responses cached by embedding similarity (cosine threshold 0.92) in a vector store"]),
        ("negative-caching", "negative caching", [
            "Negative caching of 404 lookups for 60 seconds",
            "Cache lookups of unknown ids (a negative cache) to shield the database"]),
        ("compression", "value compression", [
            "Compress cached values over 1 KB with zstd",
            "zstd compression of large cache entries"]),
        ("singleflight", "request coalescing", [
            "Request coalescing (single flight) so that concurrent misses trigger one load",
            "Coalesced concurrent cache misses into a single backend fetch"]),
    ]),
    "ratelimit": ("Rate limiting and quotas", [
        ("token-bucket", "token bucket", [
            "Token bucket rate limiter per API key in Redis with a Lua script",
            "Per-key token-bucket limiting implemented atomically via a Redis Lua script"]),
        ("sliding-window", "tenant quotas", [
            "Sliding window counters for per-tenant request quotas",
            "Tenant quotas enforced with a sliding-window log"]),
        ("retry-after", "429 responses", [
            "Return 429 with a Retry-After header when the limit is exceeded",
            "Throttled responses now carry HTTP 429 and a Retry-After value"]),
        ("burst", "burst capacity", [
            "Allow short bursts up to twice the sustained rate",
            "Burst capacity configured at 2x the steady request rate"]),
        ("ip-limits", "per-IP limits", [
            "Anonymous requests limited per client IP address behind the load balancer using X-Forwarded-For",
            "Per-IP throttling of unauthenticated traffic, reading the client address from X-Forwarded-For"]),
        ("backpressure", "backpressure", [
            "Backpressure on the ingestion queue when consumers fall behind",
            "Ingestion applies backpressure: producers pause when the queue depth exceeds 10k"]),
        ("exponential-backoff", "SDK retries", [
            "Client SDK retries with exponential backoff and full jitter",
            "SDK retry policy: exponential backoff with jitter on 429 and 503"]),
    ]),
    "migrations": ("Database schema migrations", [
        ("alembic-baseline", "Alembic baseline", [
            "Alembic baseline migration generated from the existing schema",
            "Generated the initial Alembic revision from the production schema"]),
        ("zero-downtime-rename", "column rename", [
            "Zero-downtime column rename using expand and contract migrations",
            "Renamed the column in two deploys (expand/contract) to avoid downtime"]),
        ("backfill", "backfill", [
            "Batched backfill job for the new created_by column, 5,000 rows per batch",
            "Backfilled the created_by column in throttled batches"]),
        ("index-concurrently", "concurrent index", [
            "Created the orders index CONCURRENTLY to avoid table locks",
            "Postgres index built concurrently so that writes are not blocked"]),
        ("single-table", "single-table design", [
            "Moved entities into a single DynamoDB table with composite keys",
            "Single-table DynamoDB design with PK/SK composite keys"]),
        ("rollback", "rollback scripts", [
            "Down migrations and a tested rollback script for each release",
            "Every release ships a rehearsed rollback with down migrations"]),
        ("data-validation", "row checksums", [
            "Post-migration row-count and checksum validation",
            "Checksums compare source and target rows after migrating"]),
        ("schema-drift", "schema drift check", [
            "CI check failing on schema drift between models and migrations",
            "Detect schema drift: the autogenerated diff must be empty in CI"]),
    ]),
    "ci": ("Continuous integration and delivery", [
        ("matrix", "Python matrix", [
            "GitHub Actions matrix over Python 3.11 and 3.12",
            "The CI matrix runs the tests on Python 3.11 and 3.12"]),
        ("dependency-cache", "pip cache", [
            "Cache pip dependencies between CI runs, keyed by the lockfile hash",
            "Pip download cache in CI restored from the requirements hash"]),
        ("parallel-tests", "parallel tests", [
            "Run pytest in parallel with xdist to halve the CI time",
            "Tests split across 4 workers with pytest-xdist"]),
        ("flaky-quarantine", "flaky tests", [
            "Quarantine flaky tests and retry them once",
            "Flaky tests are tagged and rerun automatically"]),
        ("docker-cache", "Docker layer cache", [
            "Docker builds use BuildKit layer caching in CI",
            "Reuse Docker image layers between pipeline runs with BuildKit cache export"]),
        ("release-tagging", "release automation", [
            "Semantic-release tags and changelog generation on merge to main",
            "Automated version tags and CHANGELOG from conventional commits"]),
        ("coverage-gate", "coverage gate", [
            "A coverage gate at 85 percent fails the pipeline",
            "The pipeline fails when coverage drops below 85%"]),
        ("preview-envs", "preview environments", [
            "Preview environments deployed for every pull request",
            "Per-PR preview deployments, torn down when the pull request closes"]),
    ]),
    "observability": ("Observability: logs, metrics, traces", [
        ("structured-logging", "JSON logs", [
            "Structured JSON logging with correlation ids",
            "Logs emitted as JSON including the request correlation id"]),
        ("tracing", "distributed tracing", [
            "OpenTelemetry distributed tracing across the API and the workers",
            "Added OTel spans propagated from the API to background workers"]),
        ("latency-histograms", "latency histograms", [
            "p50/p99 latency histograms per route",
            "Per-endpoint latency histograms with p99 alerts"]),
        ("alerting", "error alerts", [
            "PagerDuty alerts on an error rate above 2 percent for 5 minutes",
            "Error-rate alerting routed to PagerDuty"]),
        ("dashboards", "Grafana dashboards", [
            "Grafana dashboards for queue depth and consumer lag",
            "Grafana panels tracking consumer lag and queue depth"]),
        ("slo", "SLOs", [
            "Defined an availability SLO of 99.9 percent with error budget burn alerts",
            "SLOs and error budget burn-rate alerts"]),
        ("log-sampling", "log sampling", [
            "Sample debug logs at 1 percent in production",
            "Debug log sampling to cut logging costs"]),
        ("health-checks", "probes", [
            "Liveness and readiness probes for the Kubernetes deployment",
            "The readiness probe checks database connectivity"]),
    ]),
    "search": ("Search over agent memory", [
        ("bm25", "BM25 ranking", [
            "BM25 ranking over milestone text with stemming",
            "Relevance ranked with BM25 and Snowball stemming"]),
        ("inverted-index", "index segments", [
            "Inverted index segments stored in S3 and merged in the background",
            "Postings lists kept in immutable segments, compacted periodically"]),
        ("fuzzy", "typo tolerance", [
            "Typo tolerance with trigram fuzzy matching",
            "Fuzzy search using trigram similarity for misspelled queries"]),
        ("facets", "facets", [
            "Faceted filters by branch and agent",
            "Search facets for branch name and agent id"]),
        ("highlighting", "highlighting", [
            "Highlight matching snippets in the results",
            "Result snippets with highlighted query terms"]),
        ("hybrid", "hybrid retrieval", [
            "Hybrid search blending BM25 with embedding vectors",
            "Dense vector retrieval combined with keyword scores (hybrid)"]),
        ("cursor-pagination", "pagination", [
            "Cursor-based pagination for search results",
            "Search results paginated with opaque cursors"]),
    ]),
    "payments": ("Payments and billing", [
        ("stripe-webhooks", "Stripe webhooks", [
            "Stripe webhook handler verifying signatures and deduplicating events",
            "Verified Stripe webhook signatures and made event processing idempotent"]),
        ("idempotent-charges", "idempotent charges", [
            "Idempotency keys on payment creation to prevent double charges",
            "Charges are created with idempotency keys so that retries never double charge"]),
        ("refunds", "refunds", [
            "Partial refunds with ledger entries",
            "Refund flow supporting partial amounts, recorded in the ledger"]),
        ("invoices", "invoices", [
            "Monthly invoice generation as PDF with line items",
            "Invoices rendered to PDF each month"]),
        ("minor-units", "money in minor units", [
            "Amounts stored as integer minor units with ISO currency codes",
            "Money kept in cents (minor units) plus a currency code to avoid float errors"]),
        ("proration", "proration", [
            "Proration when customers change subscription plans mid-cycle",
            "Plan upgrades prorated for the rest of the billing period"]),
        ("dunning", "dunning", [
            "Dunning emails and retries for failed card payments",
            "Failed payment recovery: a retry schedule and dunning notices"]),
        ("sales-tax", "sales tax", [
            "Sales tax calculation from the customer's address via the tax API",
            "VAT and sales tax computed from the billing address"]),
    ]),
}

# project -> topics it works on (one branch each)
PROJECTS: dict[str, tuple[str, ...]] = {
    "synapse-backend": ("auth", "caching", "search", "observability", "migrations"),
    "synapse-proxy": ("ratelimit", "caching", "auth", "ci", "observability"),
    "atlas-billing": ("payments", "migrations", "auth", "ci", "ratelimit"),
    "beacon-search": ("search", "caching", "ci", "observability", "payments"),
    "orbit-gateway": ("ratelimit", "auth", "observability", "search", "migrations"),
    "nimbus-ledger": ("payments", "migrations", "ci", "caching", "ratelimit"),
}

FILLER = (
    "Fixed lint warnings flagged by ruff",
    "Updated the README with setup steps",
    "Refactored the module layout into packages",
    "Bumped dependencies to the latest patch versions",
    "Renamed variables for clarity after code review",
    "Added type hints to the service layer",
    "Removed dead code left from the prototype",
    "Addressed review comments on the last pull request",
    "Fixed a failing unit test after the rebase",
    "Improved error messages returned to clients",
)
FILLER_PER_PROJECT = 18
CUMULATIVE_WINDOW = 3  # how many earlier facts a milestone's cumulative progress recalls


@dataclass(frozen=True)
class CorpusMilestone:
    key: str  # "{project}/{fact id}" or "{project}/filler-{n}"
    project: str
    branch: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class RelevanceQuery:
    text: str
    fact: str  # the relevant milestones are those introducing this fact, in any project
    project: str | None = None  # a per-project query (None: across the tenant)


def milestones() -> list[CorpusMilestone]:
    """The history in store order: per project, its topic branches' facts interleaved with filler."""
    found: list[CorpusMilestone] = []
    for p_index, (project, topics) in enumerate(PROJECTS.items()):
        for t_index, topic in enumerate(topics):
            purpose, facts = TOPICS[topic]
            chosen = [fact for f_index, fact in enumerate(facts) if (f_index + p_index + t_index) % 6 != 5]
            done: list[str] = []
            for f_index, (fact_id, summary, phrasings) in enumerate(chosen):
                contribution = phrasings[(p_index + f_index) % len(phrasings)]
                recalled = "; ".join(done[-CUMULATIVE_WINDOW:])
                progress = f"{purpose}. Done so far: {recalled}." if recalled else f"{purpose}: starting."
                found.append(CorpusMilestone(f"{project}/{fact_id}", project, topic, {
                    "branchPurpose": purpose, "cumulativeProgress": progress, "thisContribution": contribution,
                    "agentId": f"agent-{(p_index + t_index) % 3}", "agentType": "claude-code"}))
                done.append(summary)
        for n in range(FILLER_PER_PROJECT):
            topic = topics[n % len(topics)]
            found.append(CorpusMilestone(f"{project}/filler-{n}", project, topic, {
                "branchPurpose": TOPICS[topic][0], "cumulativeProgress": "Housekeeping while the feature settles.",
                "thisContribution": f"{FILLER[(n + p_index) % len(FILLER)]} (pass {n + 11})", "agentId": "agent-0",
                "agentType": "claude-code"}))
    return found


QUERIES: tuple[RelevanceQuery, ...] = (
    RelevanceQuery("verify JWT signatures with the JWKS keys", "jwt-validation"),
    RelevanceQuery("refresh token rotation reuse", "refresh-rotation"),
    RelevanceQuery("role based access control permissions", "rbac"),
    RelevanceQuery("argon2 password hashes", "password-hashing"),
    RelevanceQuery("PKCE authorization code for CLI login", "oauth-pkce"),
    RelevanceQuery("multi-factor authentication one-time passwords", "mfa-totp"),
    RelevanceQuery("service account API keys", "api-keys"),
    RelevanceQuery("Redis read cache in front of Postgres", "redis-l1"),
    RelevanceQuery("invalidate the cache on writes with pub/sub", "cache-invalidation"),
    RelevanceQuery("cache stampede expiry jitter", "ttl-jitter"),
    RelevanceQuery("semantic cache for prompts with embeddings", "semantic-cache"),
    RelevanceQuery("coalescing concurrent cache misses", "singleflight"),
    RelevanceQuery("token bucket limiter Lua script", "token-bucket"),
    RelevanceQuery("return 429 Retry-After when throttled", "retry-after"),
    RelevanceQuery("exponential backoff with jitter in the SDK", "exponential-backoff"),
    RelevanceQuery("queue backpressure when consumers lag behind", "backpressure"),
    RelevanceQuery("rename a column without downtime", "zero-downtime-rename"),
    RelevanceQuery("backfill created_by in batches", "backfill"),
    RelevanceQuery("build the index concurrently without locking", "index-concurrently"),
    RelevanceQuery("detect schema drift in CI", "schema-drift"),
    RelevanceQuery("pytest-xdist parallel test workers", "parallel-tests"),
    RelevanceQuery("flaky tests quarantine and rerun", "flaky-quarantine"),
    RelevanceQuery("changelog and version tags from conventional commits", "release-tagging"),
    RelevanceQuery("preview deployments per pull request", "preview-envs"),
    RelevanceQuery("OpenTelemetry tracing spans", "tracing"),
    RelevanceQuery("PagerDuty error rate alerting", "alerting"),
    RelevanceQuery("error budget SLO burn rate", "slo"),
    RelevanceQuery("readiness and liveness probes", "health-checks"),
    RelevanceQuery("trigram fuzzy matching for typos", "fuzzy"),
    RelevanceQuery("hybrid keyword and vector retrieval", "hybrid"),
    RelevanceQuery("Stripe webhook signature verification", "stripe-webhooks"),
    RelevanceQuery("avoid double charges with idempotency keys", "idempotent-charges"),
    RelevanceQuery("prorate plan changes mid-cycle", "proration"),
    RelevanceQuery("dunning for failed card payments", "dunning"),
    RelevanceQuery("store money as integer cents with currency codes", "minor-units"),
    # Harder: fewer shared words, paraphrases (BM25 has no synonyms; some of these are expected to miss).
    RelevanceQuery("thundering herd when keys expire", "ttl-jitter"),
    RelevanceQuery("who may call which endpoint", "rbac"),
    RelevanceQuery("login from the terminal", "oauth-pkce"),
    RelevanceQuery("Postgres index creation without blocking writes", "index-concurrently"),
    RelevanceQuery("tests that fail randomly", "flaky-quarantine"),
    RelevanceQuery("charge less when customers switch plans", "proration"),
    RelevanceQuery("how long each request takes", "latency-histograms"),
    RelevanceQuery("postings compaction", "inverted-index"),
    RelevanceQuery("VAT from the billing address", "sales-tax"),
    RelevanceQuery("throttle anonymous clients by IP", "ip-limits"),
    RelevanceQuery("reuse docker layers between builds", "docker-cache"),
    RelevanceQuery("refresh tokens", "refresh-rotation", project="synapse-backend"),
    RelevanceQuery("cache hit miss prometheus", "hit-metrics", project="beacon-search"),
    RelevanceQuery("rollback down migrations", "rollback", project="atlas-billing"),
)


def relevant(query: RelevanceQuery, corpus: Sequence[CorpusMilestone]) -> set[str]:
    return {m.key for m in corpus if m.key.endswith(f"/{query.fact}")
            and (query.project is None or m.project == query.project)}


@dataclass(frozen=True)
class Relevance:
    recall_at_5: float
    mrr: float
    queries: int
    per_query: list[dict[str, Any]]


def evaluate(rank: Callable[[RelevanceQuery], list[str]], corpus: Sequence[CorpusMilestone] | None = None,
             queries: Sequence[RelevanceQuery] = QUERIES) -> Relevance:
    """recall@5 (share of a query's relevant milestones in its top 5, averaged) and MRR (1 / rank of the
    first relevant one, 0 if none in the results), with ``rank`` returning keys best first."""
    corpus = milestones() if corpus is None else corpus
    recalls, reciprocal, rows = [], [], []
    for query in queries:
        wanted = relevant(query, corpus)
        if not wanted:
            raise ValueError(f"query {query.text!r} has no relevant milestone in the corpus")
        keys = rank(query)
        recall = len(wanted & set(keys[:5])) / min(len(wanted), 5)
        first = next((position for position, key in enumerate(keys, 1) if key in wanted), None)
        recalls.append(recall)
        reciprocal.append(1 / first if first else 0.0)
        rows.append({"query": query.text, "relevant": len(wanted), "recall_at_5": recall, "first_relevant": first})
    return Relevance(sum(recalls) / len(recalls), sum(reciprocal) / len(reciprocal), len(queries), rows)


def seed(tenant: str, corpus: Sequence[CorpusMilestone] | None = None) -> dict[str, str]:
    """Stores the corpus through the memory services (projects, topic branches, milestones); returns
    milestoneId -> key."""
    from cairn.memory.service import branches, projects
    from cairn.memory.service import milestones as store_milestones

    corpus = milestones() if corpus is None else corpus
    keys: dict[str, str] = {}
    made: set[tuple[str, str]] = set()
    for project in dict.fromkeys(m.project for m in corpus):
        projects.create(tenant, project, project.replace("-", " ").title(), "")
    for entry in corpus:
        if (entry.project, entry.branch) not in made:
            branches.create(tenant, entry.project, entry.branch, "main", TOPICS[entry.branch][0], "corpus")
            made.add((entry.project, entry.branch))
        stored, deduplicated = store_milestones.store(tenant, entry.project, entry.branch, entry.fields)
        if deduplicated:
            raise ValueError(f"corpus milestone {entry.key} repeats another one of its project")
        keys[stored["milestoneId"]] = entry.key
    return keys


def field_weight_ablation(weightings: Sequence[tuple[int, int, int]] = ((1, 1, 1), (1, 1, 2), (1, 1, 3), (1, 0, 1)),
                          ) -> list[dict[str, Any]]:
    """recall@5 and MRR of plain BM25 (in memory, no index) with the three parts weighted
    (branchPurpose, cumulativeProgress, thisContribution): how docs/search.md chose the weights."""
    from cairn.core import text
    from cairn.search.domain import bm25

    corpus = milestones()
    rows = []
    for weights in weightings:
        docs = []
        for order, entry in enumerate(corpus):
            parts = [(entry.fields[name], weight) for name, weight in
                     zip(("branchPurpose", "cumulativeProgress", "thisContribution"), weights, strict=True)]
            frequencies = text.weighted_frequencies(parts)
            docs.append((entry, frequencies, sum(frequencies.values()), order))

        def rank(query: RelevanceQuery, docs: list[Any] = docs) -> list[str]:
            pool = [d for d in docs if query.project is None or d[0].project == query.project]
            average = sum(d[2] for d in pool) / len(pool)
            idf = {}
            for term in bm25.query_terms(query.text):
                frequency = sum(1 for d in pool if term in d[1])
                if frequency:
                    idf[term] = bm25.idf(len(pool), frequency)
            scored = [(bm25.score(d[1], d[2], idf, average), d[3], d[0].key) for d in pool]
            return [key for score, _, key in sorted(scored, reverse=True) if score > 0]

        result = evaluate(rank, corpus)
        rows.append({"weights": dict(zip(("branchPurpose", "cumulativeProgress", "thisContribution"), weights,
                                          strict=True)),
                     "recall_at_5": round(result.recall_at_5, 3), "mrr": round(result.mrr, 3)})
    return rows

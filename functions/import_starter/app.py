"""Worker: starts an import job when its file lands in the bucket (the bucket's EventBridge "Object Created"
events on the ``imports/`` prefix, through the rule in template.yaml)."""

from typing import Any

from cairn.core.observability import count, instrumented, logger
from cairn.core.settings import get_settings, require
from cairn.platform.service.imports import start_uploaded

require(get_settings(), ("import_state_machine_arn",))  # at cold start, named (cairn.core.settings)


@instrumented("worker", "import-starter")
def handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    key = str(((event.get("detail") or {}).get("object") or {}).get("key") or "")
    started = start_uploaded(key)
    count("ImportsStartedByUpload", int(started))
    logger().info("import upload", started=started)
    return {"started": started}

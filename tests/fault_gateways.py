"""An SMS gateway for fault tests that run a real worker process: it records every send in
``$FAULT_DIR/sends.log`` and, while ``$FAULT_DIR/block`` exists, hangs mid-send after
touching ``$FAULT_DIR/sending`` so the test can kill the process right there."""

import os
import time
import uuid
from pathlib import Path


class HangingGateway:
    def send(self, to: str, text: str) -> str:
        folder = Path(os.environ["FAULT_DIR"])
        with open(folder / "sends.log", "a", encoding="utf-8") as log:
            log.write(f"{to}\t{text}\n")
        if (folder / "block").exists():
            (folder / "sending").touch()
            time.sleep(600)  # killed here
        return f"fault-{uuid.uuid4().hex[:8]}"

"""An aiosmtpd server in a process of its own that counts what it accepts.

    python -m tests.bench.smtp_sink PORT

Answers on stdin/stdout, one line each: ``count`` → "<mails> <distinct Message-IDs>",
``reset`` → "ok". It exits when stdin closes. A process of its own, so that
neither the baseline loop nor the workers share an interpreter (and its GIL)
with the server they are measured against.
"""
from __future__ import annotations

import re
import sys
import threading

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.mails = 0
        self.message_ids: set[bytes] = set()

    async def handle_DATA(self, server, session, envelope):
        headers = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(headers)
        with self.lock:
            self.mails += 1
            if found:
                self.message_ids.add(found.group(1))
        return "250 Message accepted for delivery"

    def figures(self) -> str:
        with self.lock:
            return f"{self.mails} {len(self.message_ids)}"

    def reset(self) -> None:
        with self.lock:
            self.mails = 0
            self.message_ids.clear()


def main() -> None:
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=int(sys.argv[1]),
                            data_size_limit=None)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "reset":
            counter.reset()
            print("ok", flush=True)
        else:
            print(counter.figures(), flush=True)
    controller.stop()


if __name__ == "__main__":
    main()

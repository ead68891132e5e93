#!/usr/bin/env python3
"""Drive a command through a real pseudo-terminal, as a person at a keyboard would.

Usage: pty-drive.py '<json spec>'
spec: {"argv": [...], "cwd": "...", "env": {...}, "timeout": seconds,
       "steps": [{"expect": "<regex>", "send": ["keys", ...]}, ...]}
Each step waits until the screen output (from where the previous step matched) matches `expect`,
then types each string in `send` as a separate burst. After the last step it reads until the
child exits. Prints one JSON line: {"exit": code, "output": text, "failedStep": index or null}.
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


def main() -> None:
    spec = json.loads(sys.argv[1])
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(spec["cwd"])
        os.execve(spec["argv"][0], spec["argv"], spec["env"])
    # A real terminal size: prompt libraries lay out their lines by it.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    deadline = time.monotonic() + spec.get("timeout", 30)
    raw = b""
    pos = 0
    failed = None

    def pump(wait: float) -> bool:
        nonlocal raw
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        raw += chunk
        return True

    alive = True
    for i, step in enumerate(spec["steps"]):
        pattern = re.compile(step["expect"])
        while True:
            screen = ANSI.sub("", raw.decode("utf-8", "replace"))
            m = pattern.search(screen, pos)
            if m:
                pos = m.end()
                break
            if not alive or time.monotonic() > deadline:
                failed = i
                break
            alive = pump(0.1)
        if failed is not None:
            break
        for keys in step.get("send", []):
            os.write(fd, keys.encode("utf-8"))
            time.sleep(0.15)  # pacing between key bursts so each lands in its own prompt state; not asserted

    while alive and time.monotonic() < deadline:
        alive = pump(0.2)
    if alive:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        code = 128 - code
    print(json.dumps({"exit": code, "output": ANSI.sub("", raw.decode("utf-8", "replace")), "failedStep": failed}))


if __name__ == "__main__":
    main()

"""`make run`'s last step: web, the workers and beat from the Procfile, stopped cleanly by Ctrl-C.

honcho runs them, as `honcho start` would (the Procfile, and `.env` if there is one), but
stops them the way each wants to be stopped:

* Celery's main process gets SIGTERM alone and shuts its pool down itself (warm shutdown).
  `honcho start` signals the whole process group, so the pool's children died under their
  parent, which logged "ForkPoolWorker exited with signal 15" as errors.
* They get 30 s for it (a task finishing), not honcho's 5 s, after which it kills them.
* Ctrl-C reaches this process only: it takes the terminal's foreground, so make is not
  interrupted ("make: *** Error 130") and the processes, each in a session of its own,
  are stopped by the signal above rather than by the terminal's SIGINT.

A stop asked for (Ctrl-C, SIGTERM) that ends with every process gone on its own exits 0; a
process that had to be killed, or one that died by itself, makes the exit status non-zero.
"""

import atexit
import contextlib
import os
import signal
import sys
from pathlib import Path

import honcho.manager
from honcho.compat import ProcessManager
from honcho.environ import parse, parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

ROOT = Path(__file__).resolve().parent.parent
# Processes that stop their own children: they alone get the SIGTERM.
STOP_THEMSELVES = {"worker", "media", "beat"}
# Seconds every process gets to stop before it is killed.
STOP_WAIT = 30
STOP_SIGNALS = {130, 143}  # honcho's return codes for SIGINT and SIGTERM


class ProcessStopper(ProcessManager):
    """honcho's process manager, sending SIGTERM to a Celery process alone (see the docstring)."""

    def __init__(self, manager):
        self.manager = manager

    def terminate(self, pid):
        names = [name for name, process in self.manager._processes.items() if process.get("pid") == pid]
        if names and names[0] in STOP_THEMSELVES:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        else:
            super().terminate(pid)


class Runner(Manager):
    killed = False

    def __init__(self, printer):
        super().__init__(printer)
        self._procmgr = ProcessStopper(self)

    def kill(self):
        self.killed = True
        super().kill()


def take_the_terminal():
    """Make this process group the terminal's foreground one (as a shell does for a job), so
    Ctrl-C signals it and not make; give the terminal back on exit."""
    if not os.isatty(sys.stdin.fileno()):
        return
    tty = sys.stdin.fileno()
    previous = os.tcgetpgrp(tty)
    os.setpgid(0, 0)
    # A background group changing the terminal's foreground is stopped by SIGTTOU otherwise.
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    os.tcsetpgrp(tty, os.getpgrp())
    atexit.register(lambda: os.tcsetpgrp(tty, previous))


def main():
    honcho.manager.KILL_WAIT = STOP_WAIT
    env = dict(os.environ)
    dotenv = ROOT / ".env"
    if dotenv.exists():
        env.update(parse(dotenv.read_text()))
    take_the_terminal()
    runner = Runner(Printer(sys.stdout))
    for name, command in parse_procfile((ROOT / "Procfile").read_text()).processes.items():
        runner.add_process(name, command, env=env, cwd=str(ROOT))
    runner.loop()
    if runner.returncode in STOP_SIGNALS and not runner.killed:
        return 0
    return runner.returncode or 1


if __name__ == "__main__":
    sys.exit(main())

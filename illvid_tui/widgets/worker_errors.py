"""Send a failed worker of any screen or widget to the app's one error handler.

`Worker.StateChanged` does not bubble: it reaches only the node that started
the worker. With `exit_on_error=False` (as every worker here is), a failure
nobody handled would vanish. Nodes that start workers mix this in.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState


class ForwardsWorkerErrors:
    """Mixin: hand this node's failed workers to `app.report_worker_error`."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        report = getattr(event.worker.node.app, "report_worker_error", None)
        if callable(report):
            report(event.worker)

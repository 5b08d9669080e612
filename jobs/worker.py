"""The RQ worker process: jobs run inside the app context, each work horse with its own DB pool."""

from rq import Worker

from jobs.queue import QUEUES


class AppWorker(Worker):
    """A forking worker whose horses drop the parent's database connections first."""

    engine = None

    def main_work_horse(self, job, queue):
        if self.engine is not None:
            self.engine.dispose(close=False)  # never share a pooled connection across fork
        return super().main_work_horse(job, queue)


def run(app, queues=QUEUES, burst: bool = False, with_scheduler: bool = True) -> None:
    """Work the queues until stopped (or until empty with `burst`)."""
    with app.app_context():
        worker = AppWorker([app.extensions["queues"][name] for name in queues],
                           connection=app.extensions["redis"])
        worker.engine = app.extensions["db_engine"]
        worker.work(burst=burst, with_scheduler=with_scheduler)

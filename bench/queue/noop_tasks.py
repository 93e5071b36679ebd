"""The Celery side of bench/queue: one task that does nothing, stored like a Spool job's commit (a result)."""
import os

from celery import Celery

app = Celery("noop_tasks", broker=os.environ["BENCH_BROKER"], backend=os.environ["BENCH_BROKER"])
app.conf.worker_prefetch_multiplier = 4


@app.task
def noop(index):
    return index

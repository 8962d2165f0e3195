"""RQ, as the task backend runs it when REDIS_URL is set: retried jobs, and lost workers noticed.

django-tasks-rq hands each task to RQ without a retry policy, and RQ by default notices a worker
that died mid-job only after 90 s and its next 10-minute clean-up; its job then fails for good.
Here every job may run `TASK_RETRIES` more times, and a worker checks on its running job every
`HEARTBEAT` seconds and looks for jobs whose worker stopped answering every `MAINTENANCE`
seconds, so another worker runs a lost job again within about half a minute. Task code stays
the same on every backend: the tasks (quizzes/teaching/jobs.py) are idempotent, and a run of the
same task again takes over the job its lost run had claimed.
"""

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Retry, Worker

# Seconds between a worker's heartbeats for its running job.
HEARTBEAT = 5
# A job whose worker missed heartbeats for this long counts as lost.
LOST_AFTER = 15
# Seconds between a worker's looks for lost jobs (RQ's registry clean-up).
MAINTENANCE = 10


class RetryingQueue(DjangoRQ):
    """A queue whose jobs are run again at once when they fail or their worker is lost."""

    def create_job(self, *args, retry=None, **kwargs):
        retry = retry or Retry(max=settings.TASK_RETRIES)
        return super().create_job(*args, retry=retry, **kwargs)


class TaskWorker(Worker):
    """RQ's forking worker, quick to notice a job whose worker died (see the module's note)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("job_monitoring_interval", HEARTBEAT)
        kwargs.setdefault("maintenance_interval", MAINTENANCE)
        super().__init__(*args, **kwargs)

    def get_heartbeat_ttl(self, job) -> int:
        return HEARTBEAT + LOST_AFTER

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker wakes this often, so its clean-up finds lost jobs in time.
        return min(super().dequeue_timeout, MAINTENANCE)

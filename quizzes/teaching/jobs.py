"""Jobs: the background tasks a teacher starts (a large regrade or export) and their progress.

A `Job` row is what the teacher sees on the Jobs page: what runs, how far it got, its error or
its result. A task receives only the job's id and reads everything else from the database (the
quiz, the owner, and from the owner which attempts they may touch), so any backend of the task
API can carry it. A job runs once: the task claims it from "waiting" to "running", so a task
delivered twice changes nothing; Retry puts a failed job back to "waiting". The one exception is
the job's own task run again by its backend after the worker running it was lost (RQ's retry,
quizsite/task_queue.py): it takes the job over from "running" and does the work again, which
is safe because both tasks are idempotent.
"""

import logging
import tempfile
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db.models import F, Q
from django.utils import timezone, translation
from django_tasks import TaskContext, task

from quizzes.models import Answer, Job, Quiz, Regrade, exports_storage
from quizzes.teaching.classes import attempts_visible_to
from quizzes.teaching.downloads import QUIZ_EXPORT_TYPES, csv_filename, csv_text, quiz_csv_rows
from quizzes.teaching.forms import AttemptFilterForm
from quizzes.teaching.regrading import regrade_apply
from quizzes.teaching.workbooks import xlsx_write

logger = logging.getLogger(__name__)
Status = Job.Status
# Attempts re-marked per transaction: the write lock is given back between batches, so
# learners submitting during a long regrade wait for one batch at most, and the progress the
# teacher sees is committed as it goes.
REGRADE_BATCH = 200
# Rows written between two progress updates of an export.
PROGRESS_EVERY = 2000


def job_start(
    *, owner: AbstractBaseUser, quiz: Quiz, kind: str, params: dict, total: int
) -> tuple[Job, bool]:
    """Queue a job, or return the same job already waiting or running (a double click).

    Returns the job and whether it is new.
    """
    active = Job.objects.filter(
        owner=owner, quiz=quiz, kind=kind, status__in=[Status.QUEUED, Status.RUNNING]
    )
    for job in active:
        if job.params == params:
            return job, False
    job = Job.objects.create(owner=owner, quiz=quiz, kind=kind, params=params, total=total)
    _enqueue(job)
    return job, True


def job_retry(job: Job) -> bool:
    """Run a failed job again from the start; False when it had not failed."""
    retried = Job.objects.filter(pk=job.pk, status=Status.FAILED).update(
        status=Status.QUEUED, done=0, error="", finished_at=None
    )
    if retried:
        _enqueue(job)
    return bool(retried)


def _enqueue(job: Job) -> None:
    work = {Job.Kind.REGRADE: regrade_quiz, Job.Kind.EXPORT: export_quiz}[job.kind]
    result = work.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _progress(job_id: int, done: int, total: int) -> None:
    Job.objects.filter(pk=job_id).update(done=min(done, total), total=total)


def _run(job_id: int, work, context: TaskContext) -> None:
    """Claim the job, run `work(job)`, and record its result, or its error and re-raise.

    The job is claimed while waiting, or while running under this very task (`task_id`): a
    task is delivered under the same id again only when the run that claimed it was lost.
    """
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, task_id=context.task_result.id)
    if not Job.objects.filter(claimable, pk=job_id).update(status=Status.RUNNING):
        return  # done, running elsewhere, or deleted: running it again changes nothing
    job = Job.objects.select_related("quiz", "owner").get(pk=job_id)
    try:
        fields = work(job)
    except Exception as error:
        logger.exception("Job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            error=str(error) or type(error).__name__,
            finished_at=timezone.now(),
        )
        raise
    Job.objects.filter(pk=job_id).update(
        status=Status.DONE, done=F("total"), finished_at=timezone.now(), **fields
    )


def regrade_in_batches(job: Job) -> dict:
    """Re-mark the owner's learners' attempts at the job's quiz, a batch per transaction."""
    mine = attempts_visible_to(job.owner).filter(quiz=job.quiz)
    ids = list(mine.order_by("id").values_list("id", flat=True))
    _progress(job.pk, 0, len(ids))
    changed, now = 0, timezone.now()
    record = Regrade.objects.create(quiz=job.quiz, by=job.owner, at=now)  # one for all batches
    for start in range(0, len(ids), REGRADE_BATCH):
        batch = ids[start : start + REGRADE_BATCH]
        changes = regrade_apply(job.quiz, among=mine.filter(pk__in=batch), record=record, now=now)
        changed += len(changes)
        _progress(job.pk, start + len(batch), len(ids))
    if not changed:
        record.delete()
    return {"result": {"changed": changed}}


@task(takes_context=True)
def regrade_quiz(context: TaskContext, job_id: int) -> None:
    """The background task of a regrade too large for a request."""
    _run(job_id, regrade_in_batches, context)


def export_write(job: Job) -> dict:
    """Write the job's CSV export to the private exports storage, as the download would be,
    in the language of the page it was asked for on (the worker has none of its own)."""
    with translation.override(job.params.get("language", settings.LANGUAGE_CODE)):
        return _export_write(job)


def _export_write(job: Job) -> dict:
    params = job.params
    form = AttemptFilterForm({**params["filter"], "quiz": job.quiz.slug}, user=job.owner)
    if not form.is_valid():
        raise ValueError(form.errors.as_text())
    attempts = form.filter(attempts_visible_to(job.owner)).submitted()
    kind = params["kind"]
    rows = attempts if kind == "grades" else Answer.objects.filter(attempt__in=attempts)
    total = rows.count()
    _progress(job.pk, 0, total)
    extension = params.get("format", "csv")  # jobs queued before workbooks were CSV
    name = f"job-{job.pk}.{extension}"
    storage = exports_storage()
    rows = quiz_csv_rows(job.owner, job.quiz, attempts, kind)
    with tempfile.TemporaryFile() as out:
        if extension == "xlsx":
            xlsx_write(
                rows,
                out,
                columns=QUIZ_EXPORT_TYPES[kind],
                title=f"{kind}-{job.quiz.slug}",
                progress=lambda written: _progress(job.pk, written, total),
                every=PROGRESS_EVERY,
            )
        else:
            lines = csv_text(rows, bom=params["bom"], columns=QUIZ_EXPORT_TYPES[kind])
            for written, line in enumerate(lines):
                out.write(line.encode())
                if written and written % PROGRESS_EVERY == 0:
                    _progress(job.pk, written, total)
        out.seek(0)
        storage.delete(name)  # a job run again writes the same file again
        saved = storage.save(name, File(out, name=name))
    exports_prune()
    filename = csv_filename(f"{kind}-{job.quiz.slug}", extension)
    return {"file": saved, "result": {"filename": filename}}


@task(takes_context=True)
def export_quiz(context: TaskContext, job_id: int) -> None:
    """The background task of an export too large to stream in a request."""
    _run(job_id, export_write, context)


def export_expired(job: Job, now: datetime | None = None) -> bool:
    """Whether a finished export is past `EXPORT_RETENTION` (its file is, or will be, gone)."""
    now = now or timezone.now()
    return job.finished_at is None or job.finished_at < now - settings.EXPORT_RETENTION


def exports_prune(now: datetime | None = None) -> int:
    """Delete exported files kept longer than `EXPORT_RETENTION`; how many were deleted."""
    now = now or timezone.now()
    cutoff = now - settings.EXPORT_RETENTION
    old = Job.objects.filter(kind=Job.Kind.EXPORT, finished_at__lt=cutoff).exclude(file="")
    count = 0
    for job in old:
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count

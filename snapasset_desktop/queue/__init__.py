"""The job queue: Huey for delivery, plus the at-least-once layer Huey lacks.

Huey moves small task messages (a job id) to workers. The job store holds the
truth about each job (status, lease, attempts) so a lost message, a killed
worker or a duplicate delivery never loses a job or runs it twice to the end.
"""

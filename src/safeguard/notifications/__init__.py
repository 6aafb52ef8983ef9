"""Telling people by email, through GOV.UK Notify, that something has been shared with them.

An action that should tell someone (a conference report sent to agencies) writes its emails
to the outbox (:class:`~safeguard.notifications.models.Email`) in its own transaction, so
an email is queued if and only if the action happened. Delivery comes after the commit: at
once (``transaction.on_commit``) and again from ``safeguard manage send_notifications``,
which retries what GOV.UK Notify did not take, with backoff. A failure to email never undoes
the action.

An email carries no personal data about a child or family: only the agency's name, the date
and a link whose only variable part is a number. The text itself is a GOV.UK Notify
template (``NOTIFY_TEMPLATE_REPORT_SHARED``), with the placeholders ``((agency_name))``,
``((shared_on))`` and ``((link))``, for example::

    Subject: A child protection conference report has been shared with ((agency_name))

    A child protection conference report has been shared with ((agency_name)) on
    ((shared_on)).

    Sign in to Safeguard to read it: ((link))

Settings (from the environment): ``NOTIFY_API_KEY``, ``NOTIFY_TEMPLATE_REPORT_SHARED``,
``NOTIFY_SAFEGUARD_URL`` (the address of Safeguard the links point to) and, optionally,
``NOTIFY_BASE_URL`` (GOV.UK Notify's API; the client's own default when unset) and
``NOTIFY_TIMEOUT`` (seconds). Without them (the demo, local development) emails are recorded
as not sent, and the pages say so.
"""

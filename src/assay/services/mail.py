"""Invitation mails, sent only when an SMTP server is configured (`ASSAY_SMTP_HOST`).

Without one nothing is sent: the inviter is shown the link and passes it on. A mail that fails
does not undo the invitation; the failure is reported next to it.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

from assay.server.settings import Settings

if TYPE_CHECKING:
    from assay.services.auth import Principal
    from assay.services.people import Invitation


def send_invitations(settings: Settings, who: Principal, invitations: list[Invitation]) -> str | None:
    """Mail each invitation that has a link; None when all went (or SMTP is not configured)."""
    pending = [i for i in invitations if i.link]
    if not settings.smtp_host or not pending:
        return None
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password)
            for invitation in pending:
                msg = EmailMessage()
                msg["From"] = settings.smtp_from
                msg["To"] = invitation.email
                msg["Subject"] = f"{who.name or who.email} invited you to {who.org_name} on Assay"
                msg.set_content(
                    f"{who.name or who.email} invited you to the organization {who.org_name} on Assay.\n\n"
                    f"Choose a password and sign in with this link (it works once):\n{invitation.link}\n"
                )
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return f"could not send the invitation mail: {exc}"
    return None

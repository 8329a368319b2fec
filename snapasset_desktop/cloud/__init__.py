"""Optional cloud sync to a Supabase project: sign-in, uploads, "Sync now" and pull.

Off by default. The anon (publishable) key and the user's session live in the
system keyring; Row Level Security on the project keeps each user to their
own rows and files (resources/supabase/).
"""

from __future__ import annotations

from snapasset_desktop.cloud.errors import CloudError
from snapasset_desktop.cloud.keys import check_anon_key, check_project_url
from snapasset_desktop.cloud.session import CloudSession, CloudUser
from snapasset_desktop.cloud.sync import CloudHealth, CloudSync, SyncReport

__all__ = [
    "CloudError",
    "CloudHealth",
    "CloudSession",
    "CloudSync",
    "CloudUser",
    "SyncReport",
    "check_anon_key",
    "check_project_url",
]

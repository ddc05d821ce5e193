"""Month sign-off: a lead locks a team's month; entries of a locked month cannot change."""

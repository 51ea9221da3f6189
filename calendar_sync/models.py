# Meetings and consultants' calendars arrive with the calendar issue.

"""The organisation's transition roadmap: private page, PDF, admin screens (issue 7).

Business operations live in `pipeline.services.roadmaps`; the drafting rules in
`pipeline.roadmap_drafting`. This package holds what shows a roadmap: links, the view model
shared by the page, the admin preview and the PDF, the views and forms.
"""

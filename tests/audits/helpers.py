def valid_answers(**overrides) -> dict:
    """A complete, valid POST for the demo questionnaire."""
    data = {
        "organisation_type": "Association",
        "organisation_name": "Les Amis du Vélo",
        "contact_name": "Jeanne Dupont",
        "email": "jeanne@amis-du-velo.fr",
        "postcode": "69007",
        "consent_contact": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}

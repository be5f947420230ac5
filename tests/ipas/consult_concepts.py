"""A concept to consult with, as a partner's planning tool would send it. Plain data: any test may import it."""

URL = "/api/consult/"

TEXT = {
    "title": "Regional training on financial investigations and asset recovery",
    "description": "Prosecutors and the Financial Intelligence Unit trace criminal assets in Belgrade.",
}


def concept(**changes):
    return {
        "title": "Training on asset recovery and financial investigations",
        "description": "Tracing criminal assets with prosecutors and the Financial Intelligence Unit.",
        "beneficiaries": ["RS"],
        "pillar": "WBCTi",
        "start": "2025-03-01",
        "end": "2025-10-31",
        **changes,
    }

"""The HTTP side of lot holds (``boh.inventory.holds``): list holds, hold lots with a reason, release a
lot's holds with a reason, scoped to the sites a person sees (a lot is "at" a site when the site has a
balance row of it). Holds placed by a recall are released by closing the recall, not here."""

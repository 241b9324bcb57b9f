"""NewsFacet web app (Flask): the search page and its JSON twin."""

"""Site adapters: each turns one site's comments into :class:`~commentcare.Comment` objects and
the moderator's decisions back into that site's API calls, leaving every judgement to the core.

Adapters are imported explicitly (``from commentcare.adapters.wordpress import WordPressSite``)
so that ``import commentcare`` never pulls in an HTTP stack.
"""

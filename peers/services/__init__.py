"""Every write and change of state in peer work, one function per use case, split by
topic: ``sessions``, ``safeguarding``, ``supervision``, ``wellbeing``, ``recruitment``,
``progression``.

Services are keyword-only, run inside a transaction, check the rule themselves (views check
first to show a kind page, but a service never trusts its caller) and raise ``Refused``
with a message fit to show the person when something is not allowed.
"""

from cms.refusals import Refused

__all__ = ["Refused"]

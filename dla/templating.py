"""The Jinja2 sandbox shared by mail and documents: templates are files users may edit."""

from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment


class Sandbox(SandboxedEnvironment):
    """A sandboxed environment whose refusals are worded in French."""

    def unsafe_undefined(self, obj, attribute):
        return self.undefined(
            f"accès interdit à l'attribut {attribute!r} d'un objet {type(obj).__name__!r} "
            "(les modèles s'exécutent dans un bac à sable)",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def call(self, __context, __obj, *args, **kwargs):
        try:
            return super().call(__context, __obj, *args, **kwargs)
        except SecurityError as exc:
            raise SecurityError(f"appel interdit dans un modèle (bac à sable) : {exc}") from None

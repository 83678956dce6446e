//! Completion text that knows the patterns, protocol-free.

/// A Django ORM repository skeleton for model `m` (completed after `class ` in a repositories
/// module).
pub fn repository_skeleton(m: &str) -> String {
    format!(
        "class {m}Repository:\n    \"\"\"Repository for `{m}`: hides `{m}.objects` behind domain operations.\"\"\"\n\n    def get(self, pk):\n        return self._to_domain(models.{m}.objects.get(pk=pk))\n\n    def list(self):\n        return [self._to_domain(row) for row in models.{m}.objects.all()]\n\n    def add(self, entity):\n        row = self._from_domain(entity)\n        row.save()\n        return self._to_domain(row)\n\n    def remove(self, entity):\n        models.{m}.objects.filter(pk=entity.pk).delete()\n\n    @staticmethod\n    def _to_domain(row):\n        raise NotImplementedError(\"map the row to a domain object\")\n\n    @staticmethod\n    def _from_domain(entity):\n        raise NotImplementedError(\"map the domain object to a row\")\n"
    )
}

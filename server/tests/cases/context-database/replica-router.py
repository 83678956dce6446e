# shop/routers.py
import random


class ReplicaRouter:  # expect-not: context-database
    def db_for_read(self, model, **hints):
        return random.choice(["replica1", "replica2"])

    def db_for_write(self, model, **hints):
        return "default"


# shop/settings.py
DATABASE_ROUTERS = [
    "shop.routers.ReplicaRouter",  # expect-not: context-database
]

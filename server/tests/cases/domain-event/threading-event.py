# workers/pool.py
import threading


class Stopped(threading.Event):  # expect-not: domain-event
    pass


def stop(bus):
    bus.publish(Stopped())

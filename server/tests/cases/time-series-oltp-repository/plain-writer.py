# metrics/writer.py
import csv


class MetricsWriter:  # expect-not: time-series-oltp-repository
    def write(self, path, rows):
        with open(path, "w") as f:
            csv.writer(f).writerows(rows)

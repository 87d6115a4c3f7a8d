"""Loading and validating data: the course datasets and a learner's own files.

One trustworthy path for every table in the course:

* :func:`load`, :func:`list_datasets`, :func:`describe_dataset`, :func:`answer_key`,
  :func:`dataset_path` — the synthetic course datasets in ``datasets/``, typed as
  ``datasets/datapackage.json`` declares (see :mod:`safercare.data.catalogue`).
* :func:`read_table` — a learner's own CSV or Excel file, checked for the chart it will
  feed; every problem is collected into one :class:`~safercare.errors.DataError` (see
  :mod:`safercare.data.table`, which also says what it reads for you: decimal commas,
  percentages, Excel serial dates, period numbers). :func:`table_headings` lists a
  file's column headings and :func:`sheet_names` a workbook's sheets.
* Files are read within limits no learner's table comes near (50 MB, 100,000 rows,
  200 columns, 2,000,000 cells; see :mod:`safercare.data.reading`), so a hostile or
  careless file is refused in seconds and bounded memory.

The checks themselves (numbers, counts, denominators, dates, periods) live in
:mod:`safercare.checks`, shared with the analyses for data passed in memory.
"""

from safercare.data.catalogue import (
    DatasetDescription,
    DatasetsNotFoundError,
    answer_key,
    dataset_path,
    datasets_dir,
    describe_dataset,
    list_datasets,
    load,
)
from safercare.data.reading import sheet_names
from safercare.data.table import CHARTS, DataNote, read_table, table_headings
from safercare.errors import DataError, Problem

__all__ = [
    "CHARTS",
    "DataError",
    "DataNote",
    "DatasetDescription",
    "DatasetsNotFoundError",
    "Problem",
    "answer_key",
    "dataset_path",
    "datasets_dir",
    "describe_dataset",
    "list_datasets",
    "load",
    "read_table",
    "sheet_names",
    "table_headings",
]

"""Reads of peer work that span relations or feed pages and summaries, split by topic, each
starting from ``visible_to`` so that no list, count or export shows a record it should not."""

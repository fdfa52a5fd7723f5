"""The baseline: a view that does nothing but insert one row into a table shaped like
visitors_visit (same columns, defaults, indexes, unique client_id and foreign keys).

It reads the same JSON body as the tablet's check-in endpoint and stores it with one INSERT;
a client_id it already has is answered 200 without a second row (ON CONFLICT DO NOTHING), so
the load generator can send the same mix of first tries and retries to both endpoints.
"""

import json
import uuid

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from locations.models import DayPart

TABLE = "bench_baseline"

INSERT = f"""
    INSERT INTO {TABLE} (location_id, recorded_at, recorded_on, day_part, first_visit, age_band,
                         source, client_id, time_from_server, received_at)
    SELECT id, %s, %s, %s, %s, %s, 'tablet', %s, false, %s
      FROM locations_location WHERE slug = %s
    ON CONFLICT (client_id) DO NOTHING
"""  # noqa: S608 - TABLE is a constant


def create_table(cursor) -> None:
    """bench_baseline: LIKE visitors_visit INCLUDING ALL, plus its foreign keys (LIKE leaves
    those out), filled with a copy of the visits so that its indexes are as deep."""
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(f"CREATE TABLE {TABLE} (LIKE visitors_visit INCLUDING ALL)")
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'visitors_visit'::regclass AND contype = 'f' ORDER BY conname"
    )
    for number, (_name, definition) in enumerate(cursor.fetchall()):
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_fk_{number} {definition}")
    cursor.execute(
        """
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
          FROM pg_attribute
         WHERE attrelid = 'visitors_visit'::regclass AND attnum > 0 AND NOT attisdropped
           AND attname <> 'id'
        """
    )
    (columns,) = cursor.fetchone()
    cursor.execute(
        f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM visitors_visit"  # noqa: S608
    )


@csrf_exempt
@require_POST
def baseline_insert(request, slug):
    try:
        payload = json.loads(request.body)
        client_id = uuid.UUID(str(payload["client_id"]))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"status": "invalid"}, status=400)
    now = timezone.now()
    local = timezone.localtime(now)
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT,
            [
                now,
                local.date(),
                DayPart.at(local.time()).value,
                str(payload.get("first_visit") or "unknown")[:10],
                str(payload.get("age_band") or "")[:10],
                client_id,
                now,
                slug,
            ],
        )
        created = cursor.rowcount == 1
    return JsonResponse(
        {"status": "ok", "created": created, "client_id": str(client_id)},
        status=201 if created else 200,
    )

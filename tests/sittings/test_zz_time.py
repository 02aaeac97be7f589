import json, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.sittings.test_sittings import scene, seat, start  # noqa

def test_time(scene, client, settings):
    sitting = start(scene)
    app = scene.applications[0]
    client.force_login(app.applicant)
    url = f"/lamaran/{app.number}/ujian/skd/cat/jawab/"
    def go(k):
        body = json.dumps({"answers":[{"q":sitting.drawn[k%110]["question"],"o":sitting.drawn[k%110]["options"][k%5],"m":False,"s":k+1}]})
        r = client.post(url, body, content_type="application/json")
        assert r.status_code == 200
    for k in range(50): go(k)
    with CaptureQueriesContext(connection) as c: go(50)
    print("\n".join(q["sql"][:300] for q in c.captured_queries))
    t=time.perf_counter()
    for k in range(51, 551): go(k)
    a=(time.perf_counter()-t)/500
    t=time.perf_counter()
    for k in range(500): client.get("/healthz")
    b=(time.perf_counter()-t)/500
    t=time.perf_counter()
    for k in range(500): client.post(url, "{}", content_type="application/json")
    c=(time.perf_counter()-t)/500
    print(f"\nsave {a*1000:.2f} ms, healthz {b*1000:.2f} ms, empty post {c*1000:.2f} ms")

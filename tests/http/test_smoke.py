def test_create_store_recall(agent, project):
    r = agent.post(f"/api/v1/memory/projects/{project}/store", json={
        "branchPurpose": "p", "cumulativeProgress": "c", "thisContribution": "t", "agentId": "a"})
    assert r.status_code == 200, r.text
    print(r.json())
    r = agent.get(f"/api/v1/memory/projects/{project}/recall")
    print(r.json())
    assert r.status_code == 200
    r = agent.get(f"/api/v1/memory/projects/{project}/recall?view=branch")
    print(r.json())
    assert r.status_code == 200

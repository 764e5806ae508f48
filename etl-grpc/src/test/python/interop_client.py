#!/usr/bin/python3
"""Interop check of etl.ETLService from a Python client.

Usage: interop_client.py HOST:PORT [STUBS_DIR]

STUBS_DIR contains etl_pb2.py and etl_pb2_grpc.py generated from etl.proto. The
script sends one OMS, one hospital and one secretariat file, with origins in
mixed case, to a round key of its own; checks each response; watches the round
until CONCLUIDA; and checks that an unknown origin is rejected with
INVALID_ARGUMENT. It prints `ROUND <id>`, then `VERDICT: PASS` and exits 0, or
prints `VERDICT: FAIL: <reason>` and exits 1.
"""

import sys
import uuid

import grpc

DEADLINE_SECONDS = 30


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def oms_rows(pb, count):
    return [
        pb.Linha(linha_oms=pb.LinhaOMS(
            num_obitos=i % 7, populacao=4000 + i, cep=11 + i % 20,
            num_recuperados=i % 5, num_vacinados=900 + i, data="01-12-2026"))
        for i in range(count)
    ]


def hospital_rows(pb, count):
    return [
        pb.Linha(linha_hospital=pb.LinhaHospital(
            id_hospital=i % 3, data="02-12-2026", internado=i % 2, idade=20 + i % 60,
            sexo=i % 2, cep=(11 + i % 20) * 1000 + 1 + i % 5, sintoma1=i % 2,
            sintoma2=(i + 1) % 2, sintoma3=0, sintoma4=1))
        for i in range(count)
    ]


def secretaria_rows(pb, count):
    return [
        pb.Linha(linha_secretaria=pb.LinhaSecretaria(
            diagnostico=i % 2, vacinado=(i + 1) % 2, cep=(11 + i % 20) * 1000 + 1 + i % 5,
            escolaridade=i % 4, populacao=5000 + i, data="03-12-2026"))
        for i in range(count)
    ]


def run(target, pb, pb_grpc):
    round_key = "interop-" + uuid.uuid4().hex
    sends = [
        ("OMS", oms_rows(pb, 120), "oms"),
        ("Hospital", hospital_rows(pb, 80), "hospital"),
        ("SECRETARIA", secretaria_rows(pb, 200), "secretaria"),
    ]
    with grpc.insecure_channel(target) as channel:
        stub = pb_grpc.ETLServiceStub(channel)
        round_id = ""
        for index, (origin, rows, source) in enumerate(sends):
            response = stub.EnviarDados(
                pb.DadosRequest(origem=origin, nome_arquivo=source + ".csv", dados=rows,
                                rodada=round_key, id_envio=round_key + "-" + source),
                timeout=DEADLINE_SECONDS)
            first_sentence = "Recebido %d registros do tipo %s." % (len(rows), source)
            check(response.mensagem.startswith(first_sentence),
                  "mensagem %r does not start with %r" % (response.mensagem, first_sentence))
            check(response.registros == len(rows),
                  "registros is %d, expected %d" % (response.registros, len(rows)))
            check(response.rodada_id != "", "rodada_id is empty")
            check(round_id in ("", response.rodada_id),
                  "rodada_id changed from %s to %s" % (round_id, response.rodada_id))
            round_id = response.rodada_id
            state = pb.EstadoRodada.Name(response.estado)
            if index < len(sends) - 1:
                check(state == "ABERTA", "%s left the round in %s, expected ABERTA"
                      % (origin, state))
            else:
                check(state in ("FECHADA", "EXECUTANDO", "CONCLUIDA"),
                      "the last source left the round in %s, expected it sealed" % state)
        print("ROUND " + round_id, flush=True)

        final_state = None
        for rodada in stub.AcompanharRodadas(pb.ConsultaRodada(rodada_id=round_id),
                                             timeout=DEADLINE_SECONDS):
            final_state = pb.EstadoRodada.Name(rodada.estado)
            if final_state in ("CONCLUIDA", "ESTACIONADA"):
                break
        check(final_state == "CONCLUIDA", "round ended in %s, expected CONCLUIDA" % final_state)

        rodada = stub.ConsultarRodada(pb.ConsultaRodada(rodada_id=round_id),
                                      timeout=DEADLINE_SECONDS)
        counts = dict(rodada.registros_por_origem)
        expected = {source: len(rows) for _, rows, source in sends}
        check(counts == expected, "registros_por_origem is %s, expected %s" % (counts, expected))
        check(rodada.rodada == round_key, "rodada is %r, expected %r" % (rodada.rodada, round_key))

        try:
            stub.EnviarDados(pb.DadosRequest(origem="laboratorio", dados=oms_rows(pb, 1)),
                             timeout=DEADLINE_SECONDS)
            raise CheckFailed("unknown origin 'laboratorio' was accepted")
        except grpc.RpcError as error:
            check(error.code() == grpc.StatusCode.INVALID_ARGUMENT,
                  "unknown origin gave %s, expected INVALID_ARGUMENT" % error.code())
            check("laboratorio" in error.details(),
                  "error details %r do not name the origin" % error.details())


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    if len(argv) == 3:
        sys.path.insert(0, argv[2])
    import etl_pb2
    import etl_pb2_grpc
    try:
        run(argv[1], etl_pb2, etl_pb2_grpc)
    except CheckFailed as failure:
        print("VERDICT: FAIL: %s" % failure, flush=True)
        return 1
    except grpc.RpcError as error:
        print("VERDICT: FAIL: call failed with %s: %s" % (error.code(), error.details()),
              flush=True)
        return 1
    print("VERDICT: PASS", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

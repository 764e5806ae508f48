package io.github.etlrpc.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import org.junit.jupiter.api.Test;

class EtlServiceDescriptorsTest {

  @Test
  void methods_haveContractNamesAndTypes() {
    assertMethod(EtlServiceDescriptors.ENVIAR_DADOS, "etl.ETLService/EnviarDados",
        MethodType.UNARY);
    assertMethod(EtlServiceDescriptors.ENVIAR_DADOS_STREAM, "etl.ETLService/EnviarDadosStream",
        MethodType.CLIENT_STREAMING);
    assertMethod(EtlServiceDescriptors.CONSULTAR_RODADA, "etl.ETLService/ConsultarRodada",
        MethodType.UNARY);
    assertMethod(EtlServiceDescriptors.ACOMPANHAR_RODADAS, "etl.ETLService/AcompanharRodadas",
        MethodType.SERVER_STREAMING);
    assertMethod(EtlServiceDescriptors.ENVIAR_DADOS_RAW, "etl.ETLService/EnviarDados",
        MethodType.UNARY);
    assertMethod(EtlServiceDescriptors.ENVIAR_DADOS_STREAM_RAW,
        "etl.ETLService/EnviarDadosStream", MethodType.CLIENT_STREAMING);
  }

  @Test
  void serviceDescriptor_schemaMatchesProto() {
    ServiceDescriptor service = EtlServiceDescriptors.serviceDescriptor();

    assertThat(service.getName()).isEqualTo("etl.ETLService");
    assertThat(service.getMethods()).hasSize(4);
    ProtoServiceDescriptorSupplier schema =
        (ProtoServiceDescriptorSupplier) service.getSchemaDescriptor();
    assertThat(schema.getServiceDescriptor().getFullName()).isEqualTo("etl.ETLService");
    assertThat(schema.getFileDescriptor().getName()).isEqualTo("etl.proto");
    for (MethodDescriptor<?, ?> method : service.getMethods()) {
      ProtoMethodDescriptorSupplier methodSchema =
          (ProtoMethodDescriptorSupplier) method.getSchemaDescriptor();
      assertThat(methodSchema.getMethodDescriptor().getName())
          .isEqualTo(method.getBareMethodName());
    }
  }

  @Test
  void serverServiceDescriptor_coversSameMethods() {
    assertThat(EtlServiceDescriptors.SERVER_SERVICE.getMethods())
        .extracting(MethodDescriptor::getFullMethodName)
        .containsExactlyInAnyOrderElementsOf(EtlServiceDescriptors.serviceDescriptor()
            .getMethods().stream().map(MethodDescriptor::getFullMethodName).toList());
  }

  private static void assertMethod(MethodDescriptor<?, ?> method, String fullName,
      MethodType type) {
    assertThat(method.getFullMethodName()).isEqualTo(fullName);
    assertThat(method.getType()).isEqualTo(type);
  }
}

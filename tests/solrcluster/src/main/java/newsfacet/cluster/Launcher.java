package newsfacet.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.cloud.ZkTestServer;
import org.apache.solr.common.cloud.SolrZkClient;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * One process of NewsFacet's local SolrCloud: either the embedded ZooKeeper or one Solr node.
 *
 * <p>Solr's MiniSolrCloudCluster runs ZooKeeper and every node in one JVM; NewsFacet's tests
 * must kill one node (kill -9) while the other keeps serving, so each part runs in its own JVM,
 * built from the same test-framework classes MiniSolrCloudCluster uses (ZkTestServer,
 * JettySolrRunner, its default cloud solr.xml). A node restarted with the same port and home
 * directory rejoins with its replicas, as a real Solr node does.
 *
 * <pre>
 *   java newsfacet.cluster.Launcher zk   DATA_DIR ZK_PORT
 *   java newsfacet.cluster.Launcher node HOME_DIR ZK_HOST HTTP_PORT
 * </pre>
 *
 * Each prints "READY &lt;port&gt;" on stdout when it serves, then runs until it is stopped.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || !(args[0].equals("zk") || args[0].equals("node"))) {
      System.err.println("usage: Launcher zk DATA_DIR ZK_PORT | node HOME_DIR ZK_HOST HTTP_PORT");
      System.exit(2);
    }
    if (args[0].equals("zk")) {
      zookeeper(Paths.get(args[1]), Integer.parseInt(args[2]));
    } else {
      node(Paths.get(args[1]), args[2], Integer.parseInt(args[3]));
    }
  }

  private static void zookeeper(Path dataDir, int port) throws Exception {
    Files.createDirectories(dataDir);
    ZkTestServer zk = new ZkTestServer(dataDir, port);
    zk.run(false);
    // The nodes read their solr.xml from ZooKeeper, as in MiniSolrCloudCluster.
    try (SolrZkClient client =
        new SolrZkClient.Builder()
            .withUrl(zk.getZkHost())
            .withTimeout(30000, TimeUnit.MILLISECONDS)
            .build()) {
      if (!client.exists("/solr/solr.xml", true)) {
        client.makePath(
            "/solr/solr.xml",
            MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML.getBytes(StandardCharsets.UTF_8),
            true);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        zk.shutdown();
      } catch (Exception e) {
        // exiting anyway
      }
    }));
    System.out.println("READY " + zk.getPort());
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private static void node(Path home, String zkHost, int port) throws Exception {
    Files.createDirectories(home);
    Properties props = new Properties();
    props.setProperty("zkHost", zkHost + "/solr");
    JettyConfig config = JettyConfig.builder().setPort(port).setContext("/solr").build();
    JettySolrRunner jetty = new JettySolrRunner(home.toString(), props, config);
    jetty.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        jetty.stop();
      } catch (Exception e) {
        // exiting anyway
      }
    }));
    System.out.println("READY " + jetty.getLocalPort());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}

export interface EventPublisher {
  publish(topic: string, data: Record<string, unknown>): Promise<void>;
}
